import type { handleUnaryCall } from '@grpc/grpc-js';
import { ServingError, StatusCode } from '@ovms/core';
import { answerServerCall } from './answer.js';
import type { HandlerContext } from './handler-context.js';

/**
 * A TF Serving method OVMS does not implement (Classify, Regress, MultiInference): answered
 * UNIMPLEMENTED with a message that says what to use instead.
 */
export function createUnimplementedHandler<Request, Response>(
  ctx: HandlerContext,
  method: string,
): handleUnaryCall<Request, Response> {
  return (_call, callback) =>
    answerServerCall<Response>(ctx, method, callback, () => {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `${method} is not supported by OpenVINO Model Server; use Predict`,
      );
    });
}
