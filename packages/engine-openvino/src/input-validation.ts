import {
  DATA_TYPES,
  ServingError,
  StatusCode,
  elementCount,
  formatShape,
  type DataType,
  type TensorMap,
} from '@ovms/core';

/** An input as currently compiled, with what may follow the request (OVMS `auto`). */
export interface InputCheck {
  readonly name: string;
  readonly dtype: DataType;
  /** Current dims (-1 dynamic); undefined when the model's rank is dynamic. */
  readonly shape: readonly number[] | undefined;
  readonly batchDim: number;
  readonly autoDims: 'all' | ReadonlySet<number>;
}

const tail = (name: string) => `; input name: ${name}`;

/**
 * Checks a request against the inputs with OVMS codes and wording, before OpenVINO sees it.
 * Returns the shapes the model must be reshaped to for `auto` inputs whose request shape
 * differs from the compiled one, or undefined when none.
 */
export function validateInputs(
  inputs: TensorMap,
  checks: readonly InputCheck[],
): Map<string, number[]> | undefined {
  if (inputs.size !== checks.length) {
    throw new ServingError(
      StatusCode.INVALID_NO_OF_INPUTS,
      `Expected: ${checks.length}; Actual: ${inputs.size}`,
    );
  }
  let reshape: Map<string, number[]> | undefined;
  for (const check of checks) {
    const tensor = inputs.get(check.name);
    if (tensor === undefined) {
      throw new ServingError(StatusCode.INVALID_MISSING_INPUT, `Required input: ${check.name}`);
    }
    if (tensor.dtype !== check.dtype) {
      throw new ServingError(
        StatusCode.INVALID_PRECISION,
        `Expected: ${check.dtype}; Actual: ${tensor.dtype}${tail(check.name)}`,
      );
    }
    if (tensor.dtype === 'BYTES') {
      throw new ServingError(
        StatusCode.INVALID_PRECISION,
        `BYTES inputs are not supported by the OpenVINO engine${tail(check.name)}`,
      );
    }
    if (checkShape(check, tensor.shape)) (reshape ??= new Map()).set(check.name, [...tensor.shape]);
    const expected = elementCount(tensor.shape) * DATA_TYPES[tensor.dtype].byteSize;
    if (tensor.data.byteLength !== expected) {
      throw new ServingError(
        StatusCode.INVALID_CONTENT_SIZE,
        `Expected: ${expected} bytes; Actual: ${tensor.data.byteLength} bytes${tail(check.name)}`,
      );
    }
  }
  return reshape;
}

/** Throws on a shape the input cannot take; true when an `auto` dim asks for a reshape. */
function checkShape(check: InputCheck, actual: readonly number[]): boolean {
  const expected = check.shape;
  if (expected === undefined) return false;
  const detail = () =>
    `Expected: ${formatShape(expected)}; Actual: ${formatShape(actual)}${tail(check.name)}`;
  if (check.autoDims === 'all') {
    // Dynamic dims take any size; a static one that differs asks for a reshape (OVMS `auto`).
    return (
      actual.length !== expected.length ||
      actual.some((dim, i) => (expected[i] ?? -1) >= 0 && dim !== expected[i])
    );
  }
  if (actual.length !== expected.length) {
    throw new ServingError(StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS, detail());
  }
  let reshape = false;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] ?? -1;
    const got = actual[i] ?? -1;
    if (want < 0 || want === got) continue;
    if (check.autoDims.has(i)) {
      reshape = true;
    } else if (i === check.batchDim) {
      throw new ServingError(
        StatusCode.INVALID_BATCH_SIZE,
        `Expected: ${want}; Actual: ${got}${tail(check.name)}`,
      );
    } else {
      throw new ServingError(StatusCode.INVALID_SHAPE, detail());
    }
  }
  return reshape;
}
