import { ServingError, StatusCode } from '@ovms/core';

/**
 * An OVMS `layout` for one input: `NHWC:NCHW` means clients send NHWC and the model takes NCHW;
 * a bare `NCHW` only names the model's dims. Each letter names one dim; `?` is a dim without a
 * name, and the k-th `?` of one side pairs with the k-th `?` of the other.
 */
export interface InputLayout {
  /** What clients send; equals `model` for a bare layout. */
  readonly tensor: string;
  readonly model: string;
  /**
   * Transpose from the tensor layout to the model's (ONNX `perm`: model dim i is tensor dim
   * `perm[i]`); undefined when the two are the same.
   */
  readonly perm: readonly number[] | undefined;
  /** Index of `N` in the tensor layout, or undefined when it has none. */
  readonly batchDim: number | undefined;
}

function invalid(detail: string): ServingError {
  return new ServingError(StatusCode.INVALID_ARGUMENT, detail);
}

const LAYOUT = /^[A-Z?]+$/;

/** Parses `text` for input `name` of rank `rank`; wrong letters or a wrong rank are INVALID_ARGUMENT. */
export function parseInputLayout(text: string, name: string, rank: number): InputLayout {
  const parts = text.toUpperCase().split(':');
  const [tensor = '', model = tensor, ...rest] = parts;
  if (rest.length > 0 || !LAYOUT.test(tensor) || !LAYOUT.test(model)) {
    throw invalid(
      `layout ${text} of ${name} is not LAYOUT or TENSOR_LAYOUT:MODEL_LAYOUT with one letter (or ?) per dim; onnxruntime engine takes no ... or [] layouts`,
    );
  }
  for (const side of [tensor, model]) {
    if (side.length !== rank) {
      throw invalid(`layout ${text} of ${name} names ${side.length} dims; the input has ${rank}`);
    }
    const letters = [...side].filter((letter) => letter !== '?');
    if (new Set(letters).size !== letters.length) {
      throw invalid(`layout ${text} of ${name} repeats a dim letter`);
    }
  }
  const tensorKeys = dimKeys(tensor);
  const modelKeys = dimKeys(model);
  const perm = modelKeys.map((key) => tensorKeys.indexOf(key));
  if (perm.some((index) => index < 0)) {
    throw invalid(`layout ${text} of ${name}: ${tensor} and ${model} must name the same dims`);
  }
  const identity = perm.every((index, i) => index === i);
  const batch = tensor.indexOf('N');
  return {
    tensor,
    model,
    perm: identity ? undefined : perm,
    batchDim: batch < 0 ? undefined : batch,
  };
}

/** `N?H?` → `N ?0 H ?1`: letters name themselves, the k-th `?` is `?k`. */
function dimKeys(layout: string): string[] {
  let unnamed = 0;
  return [...layout].map((letter) => (letter === '?' ? `?${unnamed++}` : letter));
}

/** The model's dims seen in the tensor layout: the inverse of `perm`. */
export function toTensorLayout<T>(modelDims: readonly T[], perm: readonly number[]): T[] {
  const dims = modelDims.slice();
  perm.forEach((tensorDim, modelDim) => {
    dims[tensorDim] = modelDims[modelDim] as T;
  });
  return dims;
}
