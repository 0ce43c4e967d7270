import type { InferenceSession } from 'onnxruntime-node';
import { ServingError, StatusCode, dataTypeFromOnnx, type TensorSpec } from '@ovms/core';

/** TensorSpecs from ORT metadata; symbolic dims become -1, non-tensors and unknown types fail. */
export function specsFromMetadata(
  metadata: readonly InferenceSession.ValueMetadata[],
  file: string,
): TensorSpec[] {
  return metadata.map((value) => {
    if (!value.isTensor) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `${value.name} of ${file} is not a tensor; onnxruntime engine serves tensors only`,
      );
    }
    const dtype = dataTypeFromOnnx(value.type);
    if (dtype === undefined) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `${value.name} of ${file} has element type ${value.type}, which ovms-ts does not serve`,
      );
    }
    const shape = value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
    return { name: value.name, dtype, shape };
  });
}
