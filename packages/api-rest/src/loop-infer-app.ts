// A REST transport loop's own answers: KServe infers and TF Serving predicts decoded and
// encoded in the loop, with only the model call sent to the main thread (runLoopInfer).
// Whatever this cannot answer as the app would goes to the app whole instead.
import {
  decodeKServeInferRequest,
  decodeTfsPredictRequest,
  encodeTfsPredictResponse,
} from '@ovms/codecs';
import type { KServeInferRequest, TfsPredictRequest } from '@ovms/codecs';
import { createApiKeyCheck, fromWireTensors, toServingError, toWireTensors } from '@ovms/core';
import type { InputsError, MemoryLease, TensorMap, WireTensor } from '@ovms/core';
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { bytesBesides } from './context.js';
import { createCorsMiddleware } from './cors.js';
import { jsonResponse } from './errors.js';
import { INFERENCE_HEADER, kserveInferAnswer } from './kserve-routes.js';
import { matchKServePath, matchStatisticsPath, matchTfsPath } from './paths.js';
import type {
  LoopInferAccess,
  LoopInferApi,
  LoopSpecs,
  RestHostMessage,
} from './rest-loop-protocol.js';

/** The model an infer the loop answers names, and its API. */
export interface LoopInferTarget {
  readonly api: LoopInferApi;
  readonly name: string;
  readonly version: number | undefined;
}

/** A model call for the main thread, as the loop decoded it. */
export interface LoopInferCall extends LoopInferTarget {
  /** The key of the input specs decoding used (TF Serving). */
  readonly specs: number | undefined;
  readonly inputs: readonly WireTensor[] | InputsError;
  readonly outputs: readonly string[] | undefined;
}

/** The main thread's answer to a model call. */
export type LoopInferReply = Extract<RestHostMessage, { kind: 'inferred' | 'refused' | 'stale' }>;

/** The loop's way to the main thread. */
export interface LoopInferLink {
  /** Runs a model call; `transfer` holds the inputs' buffers. */
  infer(call: LoopInferCall, transfer: ArrayBuffer[], signal: AbortSignal): Promise<LoopInferReply>;
  /** A model version's input specs; undefined when the lookup fails. */
  specs(name: string, version: number | undefined): Promise<LoopSpecs | undefined>;
}

/** One request the loop answers: its body read (and counted by `lease`) already. */
export interface LoopInferRequest {
  readonly url: URL;
  readonly headers: Headers;
  readonly target: LoopInferTarget;
  readonly body: Uint8Array;
  readonly lease: MemoryLease;
  readonly signal: AbortSignal;
}

interface LoopEnv {
  Bindings: { response: Response };
}

/** Digits of a positive length: a JSON header the request starts with. */
const JSON_HEADER_LENGTH = /^[1-9][0-9]*$/;

/** A loop's answers to the infers it decodes; `targetOf` tells which those are. */
export interface LoopInferApp {
  /**
   * The model of a request the loop answers itself: a KServe infer whose body starts with JSON
   * (no model metadata needed to decode it) or a TF Serving predict, that carries the API key
   * when the app wants one. Anything else (a raw binary input, a refusal, a percent-encoded
   * path the router decodes) is the app's.
   */
  targetOf(
    method: string | undefined,
    url: URL,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): LoopInferTarget | undefined;
  /**
   * The answer, or undefined when the request must go whole to the app: the model's input
   * specs cannot be had here (the app answers the failed lookup) or changed since they were.
   */
  answer(request: LoopInferRequest): Promise<Response | undefined>;
}

export function createLoopInferApp(access: LoopInferAccess, link: LoopInferLink): LoopInferApp {
  const keyCheck = access.apiKey === undefined ? undefined : createApiKeyCheck(access.apiKey);
  const app = new Hono<LoopEnv>();
  // The app's own CORS middleware: the same headers on every answer, refusals included.
  if (access.cors !== undefined) {
    app.use(createCorsMiddleware(access.cors) as unknown as MiddlewareHandler<LoopEnv>);
  }
  app.post('*', (c) => c.env.response);
  // Input specs by model version. A stale entry costs one request sent whole: the main thread
  // checks each call's specs key against the model it runs.
  const specs = new Map<string, LoopSpecs>();
  const specsFor = async (target: LoopInferTarget): Promise<LoopSpecs | undefined> => {
    const key = `${target.version ?? ''} ${target.name}`;
    let known = specs.get(key);
    if (known === undefined) {
      known = await link.specs(target.name, target.version);
      if (known !== undefined) specs.set(key, known);
    }
    return known;
  };
  return {
    targetOf(method, url, headers) {
      if (method !== 'POST' || url.pathname.includes('%')) return undefined;
      if (keyCheck !== undefined) {
        const authorization = headers.authorization;
        if (typeof authorization !== 'string' && authorization !== undefined) return undefined;
        if (keyCheck(authorization) !== undefined) return undefined;
      }
      const target = inferTarget(url.pathname);
      if (target?.api !== 'KServe') return target;
      const inferenceHeader = headers[INFERENCE_HEADER.toLowerCase()];
      if (inferenceHeader === undefined) return target;
      const jsonFirst =
        typeof inferenceHeader === 'string' && JSON_HEADER_LENGTH.test(inferenceHeader);
      return jsonFirst ? target : undefined;
    },
    async answer(request) {
      const { target } = request;
      const decodeWith = target.api === 'TensorFlowServing' ? await specsFor(target) : undefined;
      if (target.api === 'TensorFlowServing' && decodeWith === undefined) return undefined;
      const response = await inferInLoop(request, decodeWith, access.maxBodyBytes, link);
      if (response === undefined) {
        specs.delete(`${target.version ?? ''} ${target.name}`);
        return undefined;
      }
      const init = { method: 'POST', headers: request.headers };
      return app.fetch(new Request(request.url, init), { response });
    },
  };
}

/** The infer `pathname` names; undefined for any other (or a malformed) path. */
function inferTarget(pathname: string): LoopInferTarget | undefined {
  try {
    const tfs = matchTfsPath(pathname);
    if (tfs?.action === 'predict') return { api: 'TensorFlowServing', ...tfs };
    if (matchStatisticsPath(pathname) !== undefined) return undefined;
    const kserve = matchKServePath(pathname);
    return kserve?.action === 'infer' ? { api: 'KServe', ...kserve } : undefined;
  } catch {
    // A version out of range: the app's router answers it.
    return undefined;
  }
}

/** Decodes here, runs the model call in the main thread, encodes here; undefined if stale. */
async function inferInLoop(
  request: LoopInferRequest,
  specs: LoopSpecs | undefined,
  maxBytes: number,
  link: LoopInferLink,
): Promise<Response | undefined> {
  const { body, target } = request;
  const transfer: ArrayBuffer[] = [];
  let kserve: KServeInferRequest | undefined;
  let tfs: TfsPredictRequest | undefined;
  let inputs: readonly WireTensor[] | InputsError;
  try {
    let tensors: TensorMap;
    if (specs === undefined) {
      const header = request.headers.get(INFERENCE_HEADER) ?? undefined;
      kserve = decodeKServeInferRequest(body, header, { maxBytes });
      tensors = kserve.inputs;
    } else {
      // The model's input specs give each JSON value its dtype, as in the app.
      tfs = decodeTfsPredictRequest(body, specs.inputs, { maxBytes });
      tensors = tfs.inputs;
    }
    // Counted as the app counts them; RESOURCE_EXHAUSTED answered after the lookup, as there.
    request.lease.grow(bytesBesides(tensors, body));
    inputs = toWireTensors(tensors, transfer);
  } catch (thrown) {
    const error = toServingError(thrown);
    inputs = { code: error.code, detail: error.detail };
  }
  const call: LoopInferCall = {
    ...target,
    specs: specs?.key,
    inputs,
    outputs: kserve?.outputs?.map((output) => output.name),
  };
  const reply = await link.infer(call, transfer, request.signal);
  if (reply.kind === 'stale') return undefined;
  if (reply.kind === 'refused') {
    const headers = reply.headers.map(([name, value]): [string, string] => [name, value]);
    return new Response(reply.body, { status: reply.status, headers });
  }
  // A reply with outputs follows a decoded request: the main thread ran the model with it.
  const outputs = fromWireTensors(reply.outputs);
  if (tfs !== undefined) return jsonResponse(encodeTfsPredictResponse(outputs, tfs.format));
  return kserveInferAnswer(reply.name, reply.version, outputs, kserve as KServeInferRequest);
}
