/**
 * The element types ovms-ts serves, named as KServe v2 names them, with what every other
 * vocabulary (TensorFlow `DT_*`, OpenVINO element types, ONNX Runtime tensor types) calls
 * them. One table so a new type cannot be half-added.
 */
export type DataType =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'BF16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

export type NumericDataType = Exclude<DataType, 'BYTES'>;

export interface DataTypeInfo {
  readonly name: DataType;
  /** tensorflow.DataType enum value (types.proto). */
  readonly tfEnum: number;
  readonly tfName: string;
  /** OpenVINO element type name (`ov::element::Type::get_type_name`). */
  readonly openvino: string;
  /** onnxruntime-node `Tensor.Type`, or null where onnxruntime-node has none. */
  readonly onnx: string | null;
  /** Bytes per element; 0 for BYTES, whose elements have their own lengths. */
  readonly byteSize: number;
}

export const DATA_TYPES = {
  BOOL: {
    name: 'BOOL',
    tfEnum: 10,
    tfName: 'DT_BOOL',
    openvino: 'boolean',
    onnx: 'bool',
    byteSize: 1,
  },
  UINT8: {
    name: 'UINT8',
    tfEnum: 4,
    tfName: 'DT_UINT8',
    openvino: 'u8',
    onnx: 'uint8',
    byteSize: 1,
  },
  UINT16: {
    name: 'UINT16',
    tfEnum: 17,
    tfName: 'DT_UINT16',
    openvino: 'u16',
    onnx: 'uint16',
    byteSize: 2,
  },
  UINT32: {
    name: 'UINT32',
    tfEnum: 22,
    tfName: 'DT_UINT32',
    openvino: 'u32',
    onnx: 'uint32',
    byteSize: 4,
  },
  UINT64: {
    name: 'UINT64',
    tfEnum: 23,
    tfName: 'DT_UINT64',
    openvino: 'u64',
    onnx: 'uint64',
    byteSize: 8,
  },
  INT8: { name: 'INT8', tfEnum: 6, tfName: 'DT_INT8', openvino: 'i8', onnx: 'int8', byteSize: 1 },
  INT16: {
    name: 'INT16',
    tfEnum: 5,
    tfName: 'DT_INT16',
    openvino: 'i16',
    onnx: 'int16',
    byteSize: 2,
  },
  INT32: {
    name: 'INT32',
    tfEnum: 3,
    tfName: 'DT_INT32',
    openvino: 'i32',
    onnx: 'int32',
    byteSize: 4,
  },
  INT64: {
    name: 'INT64',
    tfEnum: 9,
    tfName: 'DT_INT64',
    openvino: 'i64',
    onnx: 'int64',
    byteSize: 8,
  },
  FP16: {
    name: 'FP16',
    tfEnum: 19,
    tfName: 'DT_HALF',
    openvino: 'f16',
    onnx: 'float16',
    byteSize: 2,
  },
  BF16: {
    name: 'BF16',
    tfEnum: 14,
    tfName: 'DT_BFLOAT16',
    openvino: 'bf16',
    onnx: null,
    byteSize: 2,
  },
  FP32: {
    name: 'FP32',
    tfEnum: 1,
    tfName: 'DT_FLOAT',
    openvino: 'f32',
    onnx: 'float32',
    byteSize: 4,
  },
  FP64: {
    name: 'FP64',
    tfEnum: 2,
    tfName: 'DT_DOUBLE',
    openvino: 'f64',
    onnx: 'float64',
    byteSize: 8,
  },
  BYTES: {
    name: 'BYTES',
    tfEnum: 7,
    tfName: 'DT_STRING',
    openvino: 'string',
    onnx: 'string',
    byteSize: 0,
  },
} as const satisfies { [K in DataType]: DataTypeInfo & { name: K } };

const byTfEnum = new Map<number, DataType>();
const byOpenvino = new Map<string, DataType>();
const byOnnx = new Map<string, DataType>();
for (const info of Object.values(DATA_TYPES) as DataTypeInfo[]) {
  byTfEnum.set(info.tfEnum, info.name);
  byOpenvino.set(info.openvino, info.name);
  if (info.onnx !== null) byOnnx.set(info.onnx, info.name);
}

export function isDataType(name: string): name is DataType {
  return Object.hasOwn(DATA_TYPES, name);
}

/** The DataType for a tensorflow.DataType enum value, or undefined if ovms-ts does not serve it. */
export function dataTypeFromTf(tfEnum: number): DataType | undefined {
  return byTfEnum.get(tfEnum);
}

export function dataTypeFromOpenvino(elementType: string): DataType | undefined {
  return byOpenvino.get(elementType);
}

export function dataTypeFromOnnx(onnxType: string): DataType | undefined {
  return byOnnx.get(onnxType);
}

export function byteSizeOf(dtype: DataType): number {
  return DATA_TYPES[dtype].byteSize;
}
