import type { Tensor } from '@ovms/core';
import type { TensorProto } from '@ovms/proto';
import { tfDataTypeOf } from './tf-data-type.js';
import { tensorShapeProto } from './tensor-shape.js';

/**
 * A Tensor as a TF Serving TensorProto: numeric data goes in `tensor_content` as the tensor's
 * own bytes (no copy), BYTES elements in `string_val`.
 */
export function encodeTensorProto(tensor: Tensor): TensorProto {
  return {
    dtype: tfDataTypeOf(tensor.dtype),
    tensorShape: tensorShapeProto(tensor.shape),
    versionNumber: 0,
    tensorContent: tensor.dtype === 'BYTES' ? new Uint8Array(0) : tensor.data,
    halfVal: [],
    floatVal: [],
    doubleVal: [],
    intVal: [],
    stringVal: tensor.dtype === 'BYTES' ? [...tensor.data] : [],
    scomplexVal: [],
    int64Val: [],
    boolVal: [],
    dcomplexVal: [],
    resourceHandleVal: [],
    variantVal: [],
    uint32Val: [],
    uint64Val: [],
  };
}
