import { DATA_TYPES } from './data-type.js';
import { dimRangeAt, formatDim, formatInputShape } from './dim-range.js';
import type { InputSpec } from './engine.js';
import { ServingError, StatusCode } from './status.js';
import { formatShape, type Tensor, type TensorMap } from './tensor.js';

/**
 * Checks a request's inputs against a model's current input specs in OVMS order and wording
 * (SPEC.md "Errors"): count, names, precision, rank, batch, dims, then byte or value count.
 * Dims an input takes `auto` accept any size (the engine reshapes to them); a range dim
 * (`100:200`) accepts the sizes it spans. Runs in the servable, before the engine is touched, so a bad request never
 * reaches native code.
 */
export function validateInputs(specs: readonly InputSpec[], inputs: TensorMap): void {
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
    validateInput(spec, tensor);
  }
}

/** One input against its spec: precision, shape, then the content's size. */
export function validateInput(spec: InputSpec, tensor: Tensor): void {
  const where = `input name: ${spec.name}`;
  if (tensor.dtype !== spec.dtype) {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `Expected: ${spec.dtype}; Actual: ${tensor.dtype}; ${where}`,
    );
  }
  const count = checkedElementCount(spec, tensor.shape, where);
  if (tensor.dtype === 'BYTES') {
    if (tensor.data.length !== count) {
      throw new ServingError(
        StatusCode.INVALID_VALUE_COUNT,
        `Expected: ${count}; Actual: ${tensor.data.length}; ${where}`,
      );
    }
    return;
  }
  const bytes = count * DATA_TYPES[tensor.dtype].byteSize;
  if (tensor.data.byteLength !== bytes) {
    throw new ServingError(
      StatusCode.INVALID_CONTENT_SIZE,
      `Expected: ${bytes} bytes; Actual: ${tensor.data.byteLength} bytes; ${where}`,
    );
  }
}

/** Checks rank, batch and dims against the spec; returns the element count of `shape`. */
function checkedElementCount(spec: InputSpec, shape: readonly number[], where: string): number {
  const mismatch = (code: StatusCode) =>
    new ServingError(
      code,
      `Expected: ${formatInputShape(spec)}; Actual: ${formatShape(shape)}; ${where}`,
    );
  const auto = spec.autoDims;
  // OVMS checks the rank even under `shape: auto`; only a model whose rank is dynamic (reported
  // as rank 0 with every dim auto) takes any.
  const anyRank = auto === 'all' && spec.shape.length === 0;
  if (!anyRank && shape.length !== spec.shape.length) {
    throw mismatch(StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS);
  }
  let count = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    const actual = shape[axis] ?? -1;
    if (!Number.isSafeInteger(actual) || actual < 0) throw mismatch(StatusCode.INVALID_SHAPE);
    count *= actual;
    const expected = spec.shape[axis] ?? -1;
    if (actual === expected || auto === 'all' || auto?.includes(axis) === true) continue;
    const range = dimRangeAt(spec, axis);
    if (expected < 0 && (range === undefined || (actual >= range.min && actual <= range.max))) {
      continue;
    }
    if (axis === spec.batchDim) {
      throw new ServingError(
        StatusCode.INVALID_BATCH_SIZE,
        `Expected: ${formatDim(spec, axis)}; Actual: ${actual}; ${where}`,
      );
    }
    throw mismatch(StatusCode.INVALID_SHAPE);
  }
  return count;
}
