import {
  KSERVE_EXTENSIONS,
  ServingError,
  StatusCode,
  chooseVersionStatus,
  type ServableProvider,
  type TensorMap,
} from '@ovms/core';
import { decodeKServeInferRequest, encodeKServeInferResponse } from '@ovms/codecs';
import type { KServeInferRequest } from '@ovms/codecs';
import { leaseTensors, requestBytes, type RestContext, type RestDeps } from './context.js';
import { jsonResponse } from './errors.js';
import { kserveMetadataJson } from './metadata-json.js';
import { KSERVE_METHODS, type KServeAction, type ModelPath } from './paths.js';
import { trackModelCall, type ModelCall } from './request-metrics.js';

type KServePath = ModelPath<KServeAction>;
type Handler = (
  deps: RestDeps,
  c: RestContext,
  path: KServePath,
  call: ModelCall,
) => Promise<Response>;

export const INFERENCE_HEADER = 'Inference-Header-Content-Length';

/** OVMS method labels of `ovms_requests_*` for the KServe REST calls. */
const METRIC_METHODS: Readonly<Record<KServeAction, string>> = {
  metadata: 'ModelMetadata',
  ready: 'ModelReady',
  infer: 'ModelInfer',
};

/** `GET /v2/health/live`: 200 with an empty body while the process serves (OVMS). */
export function serverLive(): Response {
  return jsonResponse('');
}

/**
 * `GET /v2/health/ready`: 200 once every configured servable finished its initial load; until
 * then SERVER_NOT_READY (503, SPEC.md; OVMS itself answers 500 "model not loaded").
 */
export function serverReady(provider: ServableProvider): Response {
  if (!provider.isReady()) throw new ServingError(StatusCode.SERVER_NOT_READY);
  return jsonResponse('');
}

/** `GET /v2`: ServerMetadataResponse: name, version and the extensions served. */
export function serverMetadata(deps: RestDeps): Response {
  return jsonResponse(
    JSON.stringify({
      name: deps.serverName,
      version: deps.serverVersion,
      extensions: KSERVE_EXTENSIONS,
    }),
  );
}

async function metadata(
  deps: RestDeps,
  _c: RestContext,
  path: KServePath,
  call: ModelCall,
): Promise<Response> {
  const statuses = deps.provider.status(path.name);
  const chosen = chooseVersionStatus(statuses, path.version);
  await using lease = await deps.provider.acquire(path.name, chosen.version);
  call.version = lease.servable.version;
  return jsonResponse(kserveMetadataJson(lease.servable, statuses));
}

/**
 * Model readiness by the rule gRPC ModelReady answers with (core `chooseVersionStatus`), without
 * waiting for a loading version as an inference would. REST has no `ready: false` body: a chosen
 * version that is not AVAILABLE is MODEL_VERSION_NOT_LOADED_YET.
 */
function ready(
  deps: RestDeps,
  _c: RestContext,
  path: KServePath,
  call: ModelCall,
): Promise<Response> {
  const chosen = chooseVersionStatus(deps.provider.status(path.name), path.version);
  call.version = chosen.version;
  if (chosen.state !== 'AVAILABLE') {
    throw new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_YET);
  }
  return Promise.resolve(jsonResponse(''));
}

async function infer(
  deps: RestDeps,
  c: RestContext,
  path: KServePath,
  call: ModelCall,
): Promise<Response> {
  const body = await requestBytes(deps, c);
  await using lease = await deps.provider.acquire(path.name, path.version);
  const servable = lease.servable;
  call.version = servable.version;
  const [onlyInput, ...otherInputs] = servable.inputs;
  const request = decodeKServeInferRequest(body, c.req.header(INFERENCE_HEADER), {
    maxBytes: deps.maxBodyBytes,
    ...(onlyInput !== undefined && otherInputs.length === 0 ? { singleInput: onlyInput } : {}),
  });
  leaseTensors(c, request.inputs, body);
  const wanted = request.outputs?.map((output) => output.name);
  const outputs = await servable.infer({
    inputs: request.inputs,
    signal: c.req.raw.signal,
    ...(wanted !== undefined ? { outputs: wanted } : {}),
  });
  // Binary outputs are copied into the body here, before the lease lets the engine buffers go.
  return kserveInferAnswer(servable.name, servable.version, outputs, request);
}

/** The answer to a KServe infer `request` that `name` version `version` served with `outputs`. */
export function kserveInferAnswer(
  name: string,
  version: number,
  outputs: TensorMap,
  request: KServeInferRequest,
): Response {
  const encoded = encodeKServeInferResponse({
    modelName: name,
    modelVersion: String(version),
    outputs,
    ...(request.id !== undefined ? { id: request.id } : {}),
    ...(request.outputs !== undefined ? { requested: request.outputs } : {}),
    ...(request.binaryDataOutput !== undefined
      ? { binaryDataOutput: request.binaryDataOutput }
      : {}),
  });
  const headers: Record<string, string> = { 'content-type': encoded.contentType };
  if (encoded.inferenceHeaderContentLength !== undefined) {
    headers[INFERENCE_HEADER] = String(encoded.inferenceHeaderContentLength);
  }
  return new Response(encoded.body, { status: 200, headers });
}

const HANDLERS: Readonly<Record<KServeAction, Handler>> = { metadata, ready, infer };

/** Serves a KServe v2 REST model path (inference_rest.md): metadata, ready and infer. */
export function serveKServeModel(
  deps: RestDeps,
  c: RestContext,
  path: KServePath,
): Promise<Response> {
  if (c.req.method !== KSERVE_METHODS[path.action]) {
    throw new ServingError(
      StatusCode.REST_UNSUPPORTED_METHOD,
      `${c.req.method} ${c.req.path}; use ${KSERVE_METHODS[path.action]}`,
    );
  }
  const call: ModelCall = {
    api: 'KServe',
    method: METRIC_METHODS[path.action],
    name: path.name,
    version: path.version,
  };
  return trackModelCall(deps.metrics, deps.logger, call, (tracked) =>
    HANDLERS[path.action](deps, c, path, tracked),
  );
}
