import type { sendUnaryData, StatusObject } from '@grpc/grpc-js';
import { StatusCode } from '@ovms/core';
import type { ServingApi, ServingError } from '@ovms/core';
import { newCallSubject, releaseSubject } from './handler-context.js';
import type { CallSubject, HandlerContext } from './handler-context.js';
import { grpcStatusOfUnknown } from './status-map.js';

/** The OVMS metrics labels of one RPC that names a model. */
export interface MethodLabel {
  readonly api: ServingApi;
  /** OVMS's method label: Predict, GetModelMetadata, GetModelStatus, ModelInfer, … */
  readonly method: string;
}

/** How a model call ended; the subject still holds its lease until `releaseSubject`. */
export type CallOutcome<Response> = { readonly subject: CallSubject } & (
  | { readonly ok: true; readonly response: Response }
  | {
      readonly ok: false;
      readonly error: ServingError;
      readonly status: Pick<StatusObject, 'code' | 'details'>;
    }
);

/** Logs a failure once: client mistakes at debug, our own faults (with cause) at error. */
export function logFailure(ctx: HandlerContext, method: string, error: ServingError): void {
  if (
    error.code === StatusCode.INTERNAL_ERROR ||
    error.code === StatusCode.INTERNAL_INFERENCE_ERROR
  ) {
    ctx.logger.error({ method, code: error.code, err: error.cause ?? error }, error.message);
  } else {
    ctx.logger.debug({ method, code: error.code }, error.message);
  }
}

/**
 * Runs one request that names a model: counts it in `ovms_current_requests`, normalises
 * whatever it threw once (toServingError) and reports it with the name and version `run`
 * resolved into the subject. Never rejects.
 */
export async function observeModelCall<Response>(
  ctx: HandlerContext,
  label: MethodLabel,
  run: (subject: CallSubject) => Promise<Response>,
): Promise<CallOutcome<Response>> {
  const started = performance.now();
  const subject = newCallSubject();
  ctx.metrics.requestStarted();
  let outcome: CallOutcome<Response>;
  try {
    outcome = { subject, ok: true, response: await run(subject) };
  } catch (thrown) {
    const { error, status } = grpcStatusOfUnknown(thrown);
    logFailure(ctx, label.method, error);
    outcome = { subject, ok: false, error, status };
  }
  ctx.metrics.requestDone({
    api: label.api,
    interface: 'gRPC',
    method: label.method,
    name: subject.name,
    version: subject.version,
    ok: outcome.ok,
    durationUs: Math.round((performance.now() - started) * 1000),
  });
  return outcome;
}

/**
 * A unary RPC that names a model: observed as above, answered with the response or the OVMS
 * status, and only then is the lease released, because grpc-js serializes inside the callback
 * and responses view the engine's output buffers. `answered` runs right after the answer
 * (inference calls stop watching for cancellation there).
 */
export function answerModelCall<Response>(
  ctx: HandlerContext,
  label: MethodLabel,
  callback: sendUnaryData<Response>,
  run: (subject: CallSubject) => Promise<Response>,
  answered?: () => void,
): void {
  void observeModelCall(ctx, label, run).then((outcome) => {
    try {
      if (outcome.ok) callback(null, outcome.response);
      else callback(outcome.status);
    } catch (error) {
      ctx.logger.error({ method: label.method, err: error }, 'answering the call failed');
    } finally {
      answered?.();
      releaseSubject(ctx, outcome.subject);
    }
  });
}

/** A unary RPC that names no model (health, server metadata, reload): no metrics. */
export function answerServerCall<Response>(
  ctx: HandlerContext,
  method: string,
  callback: sendUnaryData<Response>,
  run: () => Promise<Response> | Response,
): void {
  Promise.resolve()
    .then(run)
    .then(
      (response) => callback(null, response),
      (thrown: unknown) => {
        const { error, status } = grpcStatusOfUnknown(thrown);
        logFailure(ctx, method, error);
        callback(status);
      },
    );
}
