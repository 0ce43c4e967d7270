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

/** What a tracked call gave: its value, or the `{"error": …}` answer to what it threw. */
export type TrackedOutcome<Value> =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly response: Response };

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
  const outcome = await trackCall(metrics, logger, call, handle);
  return outcome.ok ? outcome.value : outcome.response;
}

/**
 * trackModelCall for a call whose value is not yet a Response: a model call a transport loop
 * decoded, whose answer the loop encodes. `started` (performance.now()) when the call began
 * before this (its lookup); now when absent.
 */
export async function trackCall<Value>(
  metrics: MetricsRecorder,
  logger: Logger,
  call: ModelCall,
  handle: (call: ModelCall) => Promise<Value>,
  started = performance.now(),
): Promise<TrackedOutcome<Value>> {
  metrics.requestStarted();
  let outcome: TrackedOutcome<Value>;
  try {
    outcome = { ok: true, value: await handle(call) };
  } catch (error) {
    const where = `${call.api} ${call.method} ${call.name}`;
    outcome = { ok: false, response: failureResponse(error, logger, where) };
  }
  metrics.requestDone({
    api: call.api,
    interface: 'REST',
    method: call.method,
    name: call.name,
    version: call.version,
    ok: outcome.ok,
    durationUs: Math.round((performance.now() - started) * 1000),
  });
  return outcome;
}
