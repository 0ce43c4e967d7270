import type {
  handleBidiStreamingCall,
  handleUnaryCall,
  ServerDuplexStream,
  ServerUnaryCall,
} from '@grpc/grpc-js';
import type { Logger, TensorMap } from '@ovms/core';
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
  return inferResponse(servable.name, servable.version, request.id, outputs);
}

/** KServe's answer: always `raw_output_contents`, naming the served version, echoing the id. */
export function inferResponse(
  name: string,
  version: number,
  id: string,
  outputs: TensorMap,
): ModelInferResponse {
  const encoded = encodeInferOutputs(outputs);
  return {
    modelName: name,
    modelVersion: String(version),
    id,
    parameters: {},
    outputs: encoded.outputs,
    rawOutputContents: encoded.rawOutputContents,
  };
}

/** One answer of a stream: the response or OVMS's message, and what to do once written. */
export interface StreamAnswer {
  readonly response: ModelInferResponse | undefined;
  readonly errorMessage: string;
  readonly written: () => void;
}

/**
 * Answers every request of a ModelStreamInfer stream with `answer`'s result, in request order,
 * while later requests already run; ends the stream after the client's end once all are written.
 */
export function serveInferStream(
  call: ServerDuplexStream<ModelInferRequest, ModelStreamInferResponse>,
  answer: (request: ModelInferRequest) => Promise<StreamAnswer>,
  logger: Logger,
): void {
  let written: Promise<void> = Promise.resolve();
  call.on('data', (request: ModelInferRequest) => {
    const outcome = answer(request);
    written = written
      .then(async () => {
        const done = await outcome;
        try {
          if (!call.cancelled)
            call.write({ errorMessage: done.errorMessage, inferResponse: done.response });
        } finally {
          done.written();
        }
      })
      .catch((error: unknown) => {
        logger.error({ method: MODEL_INFER_STREAM.method, err: error }, 'stream write failed');
      });
  });
  call.on('end', () => {
    void written.then(() => call.end());
  });
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
    serveInferStream(
      call,
      async (request) => {
        const done = await observeModelCall(ctx, MODEL_INFER_STREAM, (subject) =>
          modelInfer(ctx, subject, request, signal),
        );
        return {
          response: done.ok ? done.response : undefined,
          errorMessage: done.ok ? '' : done.status.details,
          written: () => releaseSubject(ctx, done.subject),
        };
      },
      ctx.logger,
    );
  };
}
