import { ServingError, StatusCode, formatShape, toShape } from '@ovms/core';
import type { TensorShapeProto } from '@ovms/proto';

/** A TensorShapeProto for a known shape (TF Serving outputs, PredictResponse). */
export function tensorShapeProto(shape: readonly number[]): TensorShapeProto {
  return { dim: shape.map((size) => ({ size: BigInt(size), name: '' })), unknownRank: false };
}

/**
 * A request tensor's dimensions as plain numbers. Requests carry data, so every dimension must
 * be known: -1 (and any negative size) is refused, as is a product beyond MAX_TENSOR_ELEMENTS.
 */
export function shapeFromDims(dims: readonly bigint[], inputName: string): number[] {
  if (dims.some((size) => size < 0n)) {
    throw new ServingError(
      StatusCode.INVALID_SHAPE,
      `Dimensions must be non-negative; Actual: ${formatShape(dims)}; input name: ${inputName}`,
    );
  }
  try {
    return toShape(dims);
  } catch (error) {
    if (!(error instanceof ServingError)) throw error;
    throw new ServingError(error.code, `${error.detail ?? ''}; input name: ${inputName}`, {
      cause: error,
    });
  }
}

/** The shape of a TensorProto; an absent tensor_shape is a scalar, as in TensorFlow. */
export function shapeFromTensorProto(
  shape: TensorShapeProto | undefined,
  inputName: string,
): number[] {
  if (shape === undefined) return [];
  if (shape.unknownRank) {
    throw new ServingError(
      StatusCode.INVALID_SHAPE,
      `unknown_rank is set; a request tensor needs known dimensions; input name: ${inputName}`,
    );
  }
  return shapeFromDims(
    shape.dim.map((dim) => dim.size),
    inputName,
  );
}
