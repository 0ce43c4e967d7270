import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { decodeTensorProto, encodeTensorProto } from '@ovms/codecs';
import type { TensorMap } from '@ovms/core';
import type { PredictRequest, PredictResponse, TensorProto } from '@ovms/proto';
import { answerModelCall } from './answer.js';
import { watchCancellation } from './cancellation.js';
import { acquireServable } from './handler-context.js';
import type { HandlerContext } from './handler-context.js';
import { requestedServable, servedModelSpec } from './model-spec.js';

const PREDICT = { api: 'TensorFlowServing', method: 'Predict' } as const;

/** A PredictRequest's inputs map as Tensors; `tensor_content` stays a view of the request. */
export function decodePredictInputs(inputs: { readonly [name: string]: TensorProto }): TensorMap {
  const tensors: TensorMap = new Map();
  for (const name in inputs) {
    const proto = inputs[name];
    if (proto !== undefined) tensors.set(name, decodeTensorProto(proto, name));
  }
  return tensors;
}

/** Outputs as a PredictResponse's map. */
export function encodePredictOutputs(outputs: TensorMap): { [name: string]: TensorProto } {
  const encoded: { [name: string]: TensorProto } = {};
  for (const [name, tensor] of outputs) encoded[name] = encodeTensorProto(tensor);
  return encoded;
}

/**
 * TF Serving `Predict`: the model is resolved first (unknown name or version answers before
 * any input is read, as OVMS does), then inputs are decoded and given to the servable, which
 * checks them; `output_filter` limits the outputs. The response names the served version.
 */
export function createPredictHandler(
  ctx: HandlerContext,
): handleUnaryCall<PredictRequest, PredictResponse> {
  return (call: ServerUnaryCall<PredictRequest, PredictResponse>, callback) => {
    const cancellation = watchCancellation(call);
    answerModelCall(
      ctx,
      PREDICT,
      callback,
      async (subject) => {
        const request = call.request;
        const { name, version } = requestedServable(request.modelSpec);
        const servable = await acquireServable(ctx, subject, name, version);
        const outputs = await servable.infer({
          inputs: decodePredictInputs(request.inputs),
          outputs: request.outputFilter,
          signal: cancellation.signal,
        });
        return {
          modelSpec: servedModelSpec(servable.name, servable.version),
          outputs: encodePredictOutputs(outputs),
        };
      },
      cancellation.settle,
    );
  };
}
