import { hasBinaryInputs } from './engine.js';
import type { BinaryInputDecoder, InputSpec, TensorSpec } from './engine.js';
import type { InferRequest } from './servable.js';
import { ServingError, StatusCode, isServingError } from './status.js';
import type { TensorMap } from './tensor.js';

/**
 * The output names a request asks for, without repeats, each checked against the servable's
 * outputs before anything runs (TF Serving `output_filter`, KServe `outputs`). Undefined when it
 * names none: every output is answered, in the servable's order.
 */
export function requestedOutputs(
  outputs: readonly TensorSpec[],
  names: readonly string[] | undefined,
): readonly string[] | undefined {
  if (names === undefined || names.length === 0) return undefined;
  const unique = names.length === 1 ? names : [...new Set(names)];
  for (const name of unique) {
    if (!outputs.some((spec) => spec.name === name)) {
      throw new ServingError(StatusCode.INVALID_MISSING_OUTPUT, `Required output: ${name}`);
    }
  }
  return unique;
}

/** The produced outputs cut down to `wanted`, in its order; all of them when undefined. */
export function selectOutputs(
  produced: TensorMap,
  wanted: readonly string[] | undefined,
): TensorMap {
  if (wanted === undefined) return produced;
  const selected: TensorMap = new Map();
  for (const name of wanted) {
    const tensor = produced.get(name);
    if (tensor === undefined) {
      throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, `no output ${name} was produced`);
    }
    selected.set(name, tensor);
  }
  return selected;
}

/**
 * What a failed model call reports: a ServingError as it is, anything else (a native exception,
 * a bug in an engine) as OVMS reports an engine failure, "Internal inference error", keeping the
 * original as the cause for the log. The request's own abort stays what it was: nobody reads
 * that answer, and the caller recognises its reason.
 */
export function inferenceFailure(error: unknown, signal?: AbortSignal): unknown {
  if (isServingError(error)) return error;
  if (signal?.aborted === true && error === signal.reason) return error;
  return new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, undefined, { cause: error });
}

/**
 * The request with image bytes sent to numeric inputs (OVMS binary inputs) decoded by `decode`
 * against `specs`; undefined when there is nothing to decode, or no decoder (validation then
 * refuses the bytes by precision). Undefined rather than a resolved promise, so the common
 * request reaches the engine without waiting a turn.
 */
export function decodedInputs(
  request: InferRequest,
  specs: readonly InputSpec[],
  decode: BinaryInputDecoder | undefined,
): Promise<InferRequest> | undefined {
  if (decode === undefined || !hasBinaryInputs(specs, request.inputs)) return undefined;
  return decode(specs, request.inputs, request.signal).then((inputs) => ({ ...request, inputs }));
}
