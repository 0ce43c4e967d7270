import { DATA_TYPES } from './data-type.js';
import type { TensorSpec } from './engine.js';
import { ServingError, StatusCode } from './status.js';
import { formatShape, type TensorMap } from './tensor.js';

export interface InputValidationOptions {
  /**
   * The first dimension is a batch fixed by `batch_size`: a mismatch there is reported as
   * INVALID_BATCH_SIZE, as OVMS does, rather than INVALID_SHAPE.
   */
  readonly batchSized?: boolean;
}

/**
 * Checks a request's inputs against a model's input specs in OVMS order and wording (SPEC.md
 * "Errors"): count, names, precision, rank, batch, dims, then byte or value count. Runs before
 * the engine is touched so a bad request never reaches native code.
 */
export function validateInputs(
  specs: readonly TensorSpec[],
  inputs: TensorMap,
  options: InputValidationOptions = {},
): void {
  if (inputs.size !== specs.length) {
    throw new ServingError(
      StatusCode.INVALID_NO_OF_INPUTS,
      `Expected: ${specs.length}; Actual: ${inputs.size}`,
    );
  }
  for (const spec of specs) {
    const tensor = inputs.get(spec.name);
    if (tensor === undefined) {
      throw new ServingError(StatusCode.INVALID_MISSING_INPUT, `Required input: ${spec.name}`);
    }
    const where = `input name: ${spec.name}`;
    if (tensor.dtype !== spec.dtype) {
      throw new ServingError(
        StatusCode.INVALID_PRECISION,
        `Expected: ${spec.dtype}; Actual: ${tensor.dtype}; ${where}`,
      );
    }
    const shape = tensor.shape;
    if (shape.length !== spec.shape.length) {
      throw new ServingError(
        StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS,
        `Expected: ${formatShape(spec.shape)}; Actual: ${formatShape(shape)}; ${where}`,
      );
    }
    let count = 1;
    for (let axis = 0; axis < shape.length; axis++) {
      const actual = shape[axis] ?? -1;
      const expected = spec.shape[axis] ?? -1;
      if (axis === 0 && options.batchSized === true && expected >= 0 && actual !== expected) {
        throw new ServingError(
          StatusCode.INVALID_BATCH_SIZE,
          `Expected: ${expected}; Actual: ${actual}; ${where}`,
        );
      }
      if (!Number.isSafeInteger(actual) || actual < 0 || (expected >= 0 && actual !== expected)) {
        throw new ServingError(
          StatusCode.INVALID_SHAPE,
          `Expected: ${formatShape(spec.shape)}; Actual: ${formatShape(shape)}; ${where}`,
        );
      }
      count *= actual;
    }
    if (tensor.dtype === 'BYTES') {
      if (tensor.data.length !== count) {
        throw new ServingError(
          StatusCode.INVALID_VALUE_COUNT,
          `Expected: ${count}; Actual: ${tensor.data.length}; ${where}`,
        );
      }
      continue;
    }
    const bytes = count * DATA_TYPES[tensor.dtype].byteSize;
    if (tensor.data.byteLength !== bytes) {
      throw new ServingError(
        StatusCode.INVALID_CONTENT_SIZE,
        `Expected: ${bytes} bytes; Actual: ${tensor.data.byteLength} bytes; ${where}`,
      );
    }
  }
}
