import { DATA_TYPES, ServingError, StatusCode, elementCount } from '@ovms/core';
import type { DataType, Tensor } from '@ovms/core';
import type { TensorProto } from '@ovms/proto';
import { dataTypeOfTfProto } from './tf-data-type.js';
import { shapeFromTensorProto } from './tensor-shape.js';
import {
  bytesElements,
  dataFromBigints,
  dataFromBooleans,
  dataFromNumbers,
  type TypedValuesOptions,
} from './typed-values.js';

/** The repeated field of TensorProto that carries each dtype's typed values (tensor.proto). */
const VALUE_FIELD_OF = {
  BOOL: 'bool_val',
  UINT8: 'int_val',
  UINT16: 'int_val',
  UINT32: 'uint32_val',
  UINT64: 'uint64_val',
  INT8: 'int_val',
  INT16: 'int_val',
  INT32: 'int_val',
  INT64: 'int64_val',
  FP16: 'half_val',
  BF16: 'half_val',
  FP32: 'float_val',
  FP64: 'double_val',
  BYTES: 'string_val',
} as const satisfies Record<DataType, string>;

/** Names of the typed `*_val` fields that hold values, in field-number order. */
function typedFieldsSet(proto: TensorProto): string[] {
  const lengths: readonly [string, number][] = [
    ['float_val', proto.floatVal.length],
    ['double_val', proto.doubleVal.length],
    ['int_val', proto.intVal.length],
    ['string_val', proto.stringVal.length],
    ['scomplex_val', proto.scomplexVal.length],
    ['int64_val', proto.int64Val.length],
    ['bool_val', proto.boolVal.length],
    ['dcomplex_val', proto.dcomplexVal.length],
    ['half_val', proto.halfVal.length],
    ['resource_handle_val', proto.resourceHandleVal.length],
    ['variant_val', proto.variantVal.length],
    ['uint32_val', proto.uint32Val.length],
    ['uint64_val', proto.uint64Val.length],
  ];
  return lengths.filter(([, length]) => length > 0).map(([field]) => field);
}

/**
 * A TF Serving TensorProto as a Tensor. `tensor_content` becomes the tensor's data as a view
 * (no copy); typed `*_val` fields are written into a fresh array of the dtype, with the
 * version-0 rule that a single value is broadcast to the whole shape (tensor.proto).
 */
export function decodeTensorProto(proto: TensorProto, inputName: string): Tensor {
  const dtype = dataTypeOfTfProto(proto.dtype, inputName);
  const shape = shapeFromTensorProto(proto.tensorShape, inputName);
  const count = elementCount(shape);
  const typedFields = typedFieldsSet(proto);
  const { tfName } = DATA_TYPES[dtype];

  if (proto.tensorContent.byteLength > 0) {
    if (dtype === 'BYTES') {
      throw new ServingError(
        StatusCode.INVALID_ARGUMENT,
        `DT_STRING values go in string_val; tensor_content is set; input name: ${inputName}`,
      );
    }
    if (typedFields.length > 0) {
      throw new ServingError(
        StatusCode.INVALID_ARGUMENT,
        `tensor_content and ${typedFields.join(', ')} are both set; send one; input name: ${inputName}`,
      );
    }
    const expected = count * DATA_TYPES[dtype].byteSize;
    const actual = proto.tensorContent.byteLength;
    if (actual !== expected) {
      throw new ServingError(
        StatusCode.INVALID_CONTENT_SIZE,
        `Expected: ${expected} bytes; Actual: ${actual} bytes; input name: ${inputName}`,
      );
    }
    return { dtype, shape, data: proto.tensorContent };
  }

  const field = VALUE_FIELD_OF[dtype];
  const stray = typedFields.filter((name) => name !== field);
  if (stray.length > 0) {
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `${tfName} values go in ${field}; ${stray.join(', ')} is set; input name: ${inputName}`,
    );
  }
  const options: TypedValuesOptions = { elementCount: count, inputName, field, broadcast: true };
  switch (dtype) {
    case 'BYTES':
      return { dtype, shape, data: bytesElements(proto.stringVal, options) };
    case 'BOOL':
      return { dtype, shape, data: dataFromBooleans(proto.boolVal, options) };
    case 'INT64':
      return { dtype, shape, data: dataFromBigints(dtype, proto.int64Val, options) };
    case 'UINT64':
      return { dtype, shape, data: dataFromBigints(dtype, proto.uint64Val, options) };
    case 'FP32':
      return { dtype, shape, data: dataFromNumbers(dtype, proto.floatVal, options) };
    case 'FP64':
      return { dtype, shape, data: dataFromNumbers(dtype, proto.doubleVal, options) };
    case 'FP16':
    case 'BF16':
      return { dtype, shape, data: dataFromNumbers(dtype, proto.halfVal, options) };
    case 'UINT32':
      return { dtype, shape, data: dataFromNumbers(dtype, proto.uint32Val, options) };
    case 'INT8':
    case 'UINT8':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
      return { dtype, shape, data: dataFromNumbers(dtype, proto.intVal, options) };
  }
}
