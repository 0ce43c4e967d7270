import type { Logger, MetricsRecorder, ServingApi } from '@ovms/core';
import { failureResponse } from './errors.js';

/** What a handler naming a model reports, filled in as it learns the version. */
export interface ModelCall {
  readonly api: ServingApi;
  /** OVMS method label: Predict, GetModelMetadata, GetModelStatus, ModelInfer, … */
  readonly method: string;
  readonly name: string;
  version: number | undefined;
}

/**
 * Runs one request that names a model and reports it to `ovms_requests_success` /
 * `ovms_requests_fail` and `ovms_request_time_us` (interface REST): success when the handler
 * returns, failure when it throws; the thrown error becomes the `{"error": …}` answer.
 */
export async function trackModelCall(
  metrics: MetricsRecorder,
  logger: Logger,
  call: ModelCall,
  handle: (call: ModelCall) => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  metrics.requestStarted();
  let response: Response;
  let ok = true;
  try {
    response = await handle(call);
  } catch (error) {
    ok = false;
    response = failureResponse(error, logger, `${call.api} ${call.method} ${call.name}`);
  }
  metrics.requestDone({
    api: call.api,
    interface: 'REST',
    method: call.method,
    name: call.name,
    version: call.version,
    ok,
    durationUs: Math.round((performance.now() - started) * 1000),
  });
  return response;
}
