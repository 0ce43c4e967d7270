import type { handleBidiStreamingCall, handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { decodeInferInputs, encodeInferOutputs } from '@ovms/codecs';
import type { ModelInferRequest, ModelInferResponse, ModelStreamInferResponse } from '@ovms/proto';
import { answerModelCall, observeModelCall } from './answer.js';
import { abortSignalOf, watchCancellation } from './cancellation.js';
import { acquireServable, releaseSubject } from './handler-context.js';
import type { CallSubject, HandlerContext } from './handler-context.js';
import { parseKServeVersion } from './model-spec.js';

const MODEL_INFER = { api: 'KServe', method: 'ModelInfer' } as const;
const MODEL_INFER_STREAM = { api: 'KServe', method: 'ModelInferStream' } as const;

/**
 * One KServe inference: the version string is checked first and the model resolved (OVMS
 * `getModelInstance` order; "" and "0" are the default version), then inputs are decoded
 * (`raw_input_contents` as views, or typed contents) and given to the servable, which checks
 * them; `outputs` limits the answer, which always uses `raw_output_contents` and echoes the id.
 */
async function modelInfer(
  ctx: HandlerContext,
  subject: CallSubject,
  request: ModelInferRequest,
  signal: AbortSignal,
): Promise<ModelInferResponse> {
  const version = parseKServeVersion(request.modelVersion);
  const servable = await acquireServable(ctx, subject, request.modelName, version);
  const outputs = await servable.infer({
    inputs: decodeInferInputs(request),
    outputs: request.outputs.map((output) => output.name),
    signal,
  });
  const encoded = encodeInferOutputs(outputs);
  return {
    modelName: servable.name,
    modelVersion: String(servable.version),
    id: request.id,
    parameters: {},
    outputs: encoded.outputs,
    rawOutputContents: encoded.rawOutputContents,
  };
}

/** KServe `ModelInfer`. */
export function createModelInferHandler(
  ctx: HandlerContext,
): handleUnaryCall<ModelInferRequest, ModelInferResponse> {
  return (call: ServerUnaryCall<ModelInferRequest, ModelInferResponse>, callback) => {
    const cancellation = watchCancellation(call);
    answerModelCall(
      ctx,
      MODEL_INFER,
      callback,
      (subject) => modelInfer(ctx, subject, call.request, cancellation.signal),
      cancellation.settle,
    );
  };
}

/**
 * KServe `ModelStreamInfer` (Triton's bidirectional extension, which OVMS itself serves only
 * for MediaPipe graphs): every request is answered with one ModelStreamInferResponse, in
 * request order, while later requests already run. A failed request is answered with its OVMS
 * message in `error_message` and the stream goes on; the stream ends after the client's end
 * once every answer is written.
 */
export function createModelStreamInferHandler(
  ctx: HandlerContext,
): handleBidiStreamingCall<ModelInferRequest, ModelStreamInferResponse> {
  return (call) => {
    const signal = abortSignalOf(call);
    let written: Promise<void> = Promise.resolve();
    call.on('data', (request: ModelInferRequest) => {
      const outcome = observeModelCall(ctx, MODEL_INFER_STREAM, (subject) =>
        modelInfer(ctx, subject, request, signal),
      );
      written = written
        .then(async () => {
          const done = await outcome;
          try {
            if (!call.cancelled) {
              call.write(
                done.ok
                  ? { errorMessage: '', inferResponse: done.response }
                  : { errorMessage: done.status.details, inferResponse: undefined },
              );
            }
          } finally {
            releaseSubject(ctx, done.subject);
          }
        })
        .catch((error: unknown) => {
          ctx.logger.error(
            { method: MODEL_INFER_STREAM.method, err: error },
            'stream write failed',
          );
        });
    });
    call.on('end', () => {
      void written.then(() => call.end());
    });
  };
}
