import { ServingError, StatusCode, type TensorMap } from '@ovms/core';

/** An input whose shape follows requests (OVMS `auto`), as compiled now. */
export interface AutoInput {
  readonly name: string;
  /** Compiled dims (-1 dynamic); undefined when the model's rank is dynamic. */
  readonly shape: readonly number[] | undefined;
  /** 'all' for `shape: auto`, else the dims `batch_size: auto` lets follow. */
  readonly autoDims: 'all' | ReadonlySet<number>;
}

/**
 * The shapes the model must be reshaped to before it can run this request, or undefined when it
 * can run as compiled. The servable has already checked the request against the model's inputs
 * (`auto` dims taking any size); what is left is OpenVINO's own concern: a static compiled dim
 * that the request's size differs from.
 */
export function reshapeTargets(
  inputs: TensorMap,
  autoInputs: readonly AutoInput[],
): Map<string, number[]> | undefined {
  let targets: Map<string, number[]> | undefined;
  for (const input of autoInputs) {
    const tensor = inputs.get(input.name);
    if (tensor === undefined) continue;
    if (differs(input, tensor.shape)) (targets ??= new Map()).set(input.name, [...tensor.shape]);
  }
  return targets;
}

function differs(input: AutoInput, actual: readonly number[]): boolean {
  const compiled = input.shape;
  if (compiled === undefined) return false;
  for (let axis = 0; axis < compiled.length; axis++) {
    const want = compiled[axis] ?? -1;
    if (want < 0 || want === actual[axis]) continue;
    if (input.autoDims === 'all' || input.autoDims.has(axis)) return true;
  }
  return false;
}

/** OpenVINO string tensors hold std::string objects, not bytes: not bridged yet. */
export function refuseBytesInputs(inputs: TensorMap): void {
  for (const [name, tensor] of inputs) {
    if (tensor.dtype === 'BYTES') {
      throw new ServingError(
        StatusCode.INVALID_PRECISION,
        `BYTES inputs are not supported by the OpenVINO engine; input name: ${name}`,
      );
    }
  }
}
