// A REST transport loop's own answers: KServe infers decoded and encoded in the loop, with
// only the model call sent to the main thread (runLoopInfer). Whatever this cannot answer as
// the app would goes to the app whole instead.
import { decodeKServeInferRequest } from '@ovms/codecs';
import type { KServeInferRequest } from '@ovms/codecs';
import { createApiKeyCheck, fromWireTensors, toServingError, toWireTensors } from '@ovms/core';
import type { InputsError, MemoryLease, WireTensor } from '@ovms/core';
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { bytesBesides } from './context.js';
import { createCorsMiddleware } from './cors.js';
import { INFERENCE_HEADER, kserveInferAnswer } from './kserve-routes.js';
import { matchKServePath, matchStatisticsPath } from './paths.js';
import type { KServeAction, ModelPath } from './paths.js';
import type { LoopInferAccess, RestHostMessage } from './rest-loop-protocol.js';

/** A model call for the main thread, as the loop decoded it. */
export interface LoopInferCall {
  readonly name: string;
  readonly version: number | undefined;
  readonly inputs: readonly WireTensor[] | InputsError;
  readonly outputs: readonly string[] | undefined;
}

/** The main thread's answer to a model call. */
export type LoopInferReply = Extract<RestHostMessage, { kind: 'inferred' | 'refused' }>;

/** The loop's way to the main thread; `transfer` holds the inputs' buffers. */
export type LoopInferLink = (
  call: LoopInferCall,
  transfer: ArrayBuffer[],
  signal: AbortSignal,
) => Promise<LoopInferReply>;

/** One request the loop answers: its body read (and counted by `lease`) already. */
export interface LoopInferRequest {
  readonly url: URL;
  readonly headers: Headers;
  readonly path: ModelPath<KServeAction>;
  readonly body: Uint8Array;
  readonly lease: MemoryLease;
  readonly signal: AbortSignal;
}

interface LoopEnv {
  Bindings: { request: LoopInferRequest };
}

/** Digits of a positive length: a JSON header the request starts with. */
const JSON_HEADER_LENGTH = /^[1-9][0-9]*$/;

/** A loop's answers to the infers it decodes; `pathOf` tells which those are. */
export interface LoopInferApp {
  /**
   * The infer path of a request the loop answers itself: a KServe infer whose body starts
   * with JSON (no model metadata needed to decode it) and, when the app wants an API key,
   * that carries it. Anything else (a raw binary input, a refusal, a percent-encoded path the
   * router decodes) is the app's.
   */
  pathOf(
    method: string | undefined,
    url: URL,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): ModelPath<KServeAction> | undefined;
  answer(request: LoopInferRequest): Promise<Response>;
}

export function createLoopInferApp(access: LoopInferAccess, link: LoopInferLink): LoopInferApp {
  const keyCheck = access.apiKey === undefined ? undefined : createApiKeyCheck(access.apiKey);
  const app = new Hono<LoopEnv>();
  // The app's own CORS middleware: the same headers on every answer, refusals included.
  if (access.cors !== undefined) {
    app.use(createCorsMiddleware(access.cors) as unknown as MiddlewareHandler<LoopEnv>);
  }
  app.post('*', (c) => inferInLoop(c.env.request, access.maxBodyBytes, link));
  return {
    pathOf(method, url, headers) {
      if (method !== 'POST' || url.pathname.includes('%')) return undefined;
      const inferenceHeader = headers[INFERENCE_HEADER.toLowerCase()];
      if (inferenceHeader !== undefined) {
        if (typeof inferenceHeader !== 'string' || !JSON_HEADER_LENGTH.test(inferenceHeader)) {
          return undefined;
        }
      }
      if (keyCheck !== undefined) {
        const authorization = headers.authorization;
        if (typeof authorization !== 'string' && authorization !== undefined) return undefined;
        if (keyCheck(authorization) !== undefined) return undefined;
      }
      return inferPath(url.pathname);
    },
    answer: async (request) =>
      app.fetch(new Request(request.url, { method: 'POST', headers: request.headers }), {
        request,
      }),
  };
}

/** The KServe infer `pathname` names; undefined for any other (or a malformed) path. */
function inferPath(pathname: string): ModelPath<KServeAction> | undefined {
  try {
    if (matchStatisticsPath(pathname) !== undefined) return undefined;
    const path = matchKServePath(pathname);
    return path?.action === 'infer' ? path : undefined;
  } catch {
    // A version out of range: the app's router answers it.
    return undefined;
  }
}

/** Decodes here, runs the model call in the main thread, encodes here. */
async function inferInLoop(
  request: LoopInferRequest,
  maxBytes: number,
  link: LoopInferLink,
): Promise<Response> {
  const { body, path } = request;
  const transfer: ArrayBuffer[] = [];
  let decoded: KServeInferRequest | undefined;
  let inputs: readonly WireTensor[] | InputsError;
  try {
    decoded = decodeKServeInferRequest(body, request.headers.get(INFERENCE_HEADER) ?? undefined, {
      maxBytes,
    });
    // Counted as the app counts them; RESOURCE_EXHAUSTED answered after the lookup, as there.
    request.lease.grow(bytesBesides(decoded.inputs, body));
    inputs = toWireTensors(decoded.inputs, transfer);
  } catch (thrown) {
    const error = toServingError(thrown);
    inputs = { code: error.code, detail: error.detail };
  }
  const call: LoopInferCall = {
    name: path.name,
    version: path.version,
    inputs,
    outputs: decoded?.outputs?.map((output) => output.name),
  };
  const reply = await link(call, transfer, request.signal);
  if (reply.kind === 'refused') {
    const headers = reply.headers.map(([name, value]): [string, string] => [name, value]);
    return new Response(reply.body, { status: reply.status, headers });
  }
  // A reply with outputs follows a decoded request: the main thread ran the model with it.
  const served = decoded as KServeInferRequest;
  return kserveInferAnswer(reply.name, reply.version, fromWireTensors(reply.outputs), served);
}
