import { ServingError, StatusCode } from '@ovms/core';
import { decodeTfsPredictRequest, encodeTfsPredictResponse } from '@ovms/codecs';
import { leaseTensors, requestBytes, type RestContext, type RestDeps } from './context.js';
import { jsonResponse } from './errors.js';
import { tfsMetadataJson } from './metadata-json.js';
import { TFS_METHODS, type ModelPath, type TfsAction } from './paths.js';
import { trackModelCall, type ModelCall } from './request-metrics.js';
import { modelStatusJson } from './status-json.js';

type TfsPath = ModelPath<TfsAction>;
type Handler = (
  deps: RestDeps,
  c: RestContext,
  path: TfsPath,
  call: ModelCall,
) => Promise<Response>;

/** OVMS method labels of `ovms_requests_*` for the TF Serving REST calls. */
const METRIC_METHODS = {
  status: 'GetModelStatus',
  metadata: 'GetModelMetadata',
  predict: 'Predict',
} as const;

function status(deps: RestDeps, _c: RestContext, path: TfsPath): Promise<Response> {
  return Promise.resolve(
    jsonResponse(modelStatusJson(deps.provider.status(path.name, path.version))),
  );
}

async function metadata(
  deps: RestDeps,
  _c: RestContext,
  path: TfsPath,
  call: ModelCall,
): Promise<Response> {
  await using lease = await deps.provider.acquire(path.name, path.version);
  call.version = lease.servable.version;
  return jsonResponse(tfsMetadataJson(lease.servable));
}

async function predict(
  deps: RestDeps,
  c: RestContext,
  path: TfsPath,
  call: ModelCall,
): Promise<Response> {
  const body = await requestBytes(deps, c);
  await using lease = await deps.provider.acquire(path.name, path.version);
  const servable = lease.servable;
  call.version = servable.version;
  // The model's input specs give each JSON value its dtype, as OVMS's TFSRestParser does.
  const request = decodeTfsPredictRequest(body, servable.inputs, { maxBytes: deps.maxBodyBytes });
  leaseTensors(c, request.inputs, body);
  const outputs = await servable.infer({ inputs: request.inputs, signal: c.req.raw.signal });
  return jsonResponse(encodeTfsPredictResponse(outputs, request.format));
}

const HANDLERS: Readonly<Record<keyof typeof METRIC_METHODS, Handler>> = {
  status,
  metadata,
  predict,
};

/**
 * Serves a TF Serving REST model path (api_rest.md): status, metadata and predict. Classify
 * and regress are refused as OVMS refuses them, with REST_NOT_FOUND (404); a method the path
 * does not answer is REST_UNSUPPORTED_METHOD.
 */
export function serveTfsModel(deps: RestDeps, c: RestContext, path: TfsPath): Promise<Response> {
  if (c.req.method !== TFS_METHODS[path.action]) {
    throw new ServingError(
      StatusCode.REST_UNSUPPORTED_METHOD,
      `${c.req.method} ${c.req.path}; use ${TFS_METHODS[path.action]}`,
    );
  }
  const action = path.action;
  if (action === 'classify' || action === 'regress') {
    throw new ServingError(
      StatusCode.REST_NOT_FOUND,
      `the ${action} API is not supported; use :predict`,
    );
  }
  const call: ModelCall = {
    api: 'TensorFlowServing',
    method: METRIC_METHODS[action],
    name: path.name,
    version: path.version,
  };
  return trackModelCall(deps.metrics, deps.logger, call, (tracked) =>
    HANDLERS[action](deps, c, path, tracked),
  );
}
