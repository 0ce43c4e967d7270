import {
  ServingError,
  StatusCode,
  validateInputs,
  type Servable,
  type TensorMap,
} from '@ovms/core';

/**
 * Validates decoded inputs against the servable (names, dtype, shape, byte size, in OVMS order
 * and wording) and runs it. A request never reaches the engine unvalidated; an engine failure
 * that is not already a ServingError is reported as OVMS reports one: "Internal inference error".
 * `signal` aborts when the client goes away, so the engine may drop work nobody will read.
 */
export async function validateAndInfer(
  servable: Servable,
  inputs: TensorMap,
  signal: AbortSignal,
  outputs?: readonly string[],
): Promise<TensorMap> {
  validateInputs(servable.inputs, inputs);
  try {
    return await servable.infer(
      outputs === undefined ? { inputs, signal } : { inputs, signal, outputs },
    );
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, undefined, { cause: error });
  }
}
