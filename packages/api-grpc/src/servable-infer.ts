import { ServingError, StatusCode, validateInputs } from '@ovms/core';
import type { InferRequest, Servable, TensorMap } from '@ovms/core';

/**
 * Runs one inference the way both APIs need it: inputs checked against the servable's specs
 * (names, precision, shape, size; core `validateInputs`, OVMS order and wording) before the
 * engine sees them, requested output names checked up front, and the answer cut down to the
 * requested outputs in request order (all outputs, in the servable's order, when none are
 * named). An empty filter means every output (TF Serving `output_filter`, KServe `outputs`).
 */
export async function inferServable(
  servable: Servable,
  inputs: TensorMap,
  requestedOutputs: readonly string[],
  signal?: AbortSignal,
): Promise<TensorMap> {
  validateInputs(servable.inputs, inputs);
  const wanted = uniqueOutputs(servable, requestedOutputs);
  const request: InferRequest = {
    inputs,
    ...(wanted.length > 0 ? { outputs: wanted } : {}),
    ...(signal !== undefined ? { signal } : {}),
  };
  const result = await servable.infer(request);
  if (wanted.length === 0) return result;
  const selected: TensorMap = new Map();
  for (const name of wanted) {
    const tensor = result.get(name);
    if (tensor === undefined) {
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `servable ${servable.name} did not produce output ${name}`,
      );
    }
    selected.set(name, tensor);
  }
  return selected;
}

/** Requested names without repeats; an unknown one is refused before inference. */
function uniqueOutputs(servable: Servable, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const unique = [...new Set(names)];
  for (const name of unique) {
    if (!servable.outputs.some((spec) => spec.name === name)) {
      throw new ServingError(StatusCode.INVALID_MISSING_OUTPUT, `Required output: ${name}`);
    }
  }
  return unique;
}
