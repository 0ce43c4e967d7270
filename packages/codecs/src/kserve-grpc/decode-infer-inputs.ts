import { DATA_TYPES, ServingError, StatusCode, elementCount, isDataType } from '@ovms/core';
import type { DataType, Tensor } from '@ovms/core';
import type {
  InferTensorContents,
  ModelInferRequest,
  ModelInferRequest_InferInputTensor,
} from '@ovms/proto';
import { decodeLengthPrefixedElements } from '../bytes-elements.js';
import { shapeFromDims } from '../tfs-proto/tensor-shape.js';
import {
  bytesElements,
  dataFromBigints,
  dataFromBooleans,
  dataFromNumbers,
  type TypedValuesOptions,
} from '../tfs-proto/typed-values.js';

/** The InferTensorContents field for each datatype; FP16/BF16 have none (KServe v2 datatypes). */
const CONTENTS_FIELD_OF = {
  BOOL: 'bool_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  FP16: null,
  BF16: null,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
} as const satisfies Record<DataType, string | null>;

/** Names of the contents fields that hold values, in field-number order. */
function contentsFieldsSet(contents: InferTensorContents | undefined): string[] {
  if (contents === undefined) return [];
  const lengths: readonly [string, number][] = [
    ['bool_contents', contents.boolContents.length],
    ['int_contents', contents.intContents.length],
    ['int64_contents', contents.int64Contents.length],
    ['uint_contents', contents.uintContents.length],
    ['uint64_contents', contents.uint64Contents.length],
    ['fp32_contents', contents.fp32Contents.length],
    ['fp64_contents', contents.fp64Contents.length],
    ['bytes_contents', contents.bytesContents.length],
  ];
  return lengths.filter(([, length]) => length > 0).map(([field]) => field);
}

function dataTypeOfInput(input: ModelInferRequest_InferInputTensor): DataType {
  if (!isDataType(input.datatype)) {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `Unsupported datatype ${JSON.stringify(input.datatype)}; input name: ${input.name}`,
    );
  }
  return input.datatype;
}

function fromRaw(dtype: DataType, shape: number[], raw: Uint8Array, name: string): Tensor {
  const count = elementCount(shape);
  if (dtype === 'BYTES') {
    return { dtype, shape, data: decodeLengthPrefixedElements(raw, count, name) };
  }
  const expected = count * DATA_TYPES[dtype].byteSize;
  if (raw.byteLength !== expected) {
    throw new ServingError(
      StatusCode.INVALID_CONTENT_SIZE,
      `Expected: ${expected} bytes; Actual: ${raw.byteLength} bytes; input name: ${name}`,
    );
  }
  return { dtype, shape, data: raw };
}

function fromContents(
  dtype: DataType,
  shape: number[],
  contents: InferTensorContents | undefined,
  name: string,
): Tensor {
  if (dtype === 'FP16' || dtype === 'BF16') {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `${dtype} data requires raw_input_contents; InferTensorContents has no ${dtype} field; input name: ${name}`,
    );
  }
  const field = CONTENTS_FIELD_OF[dtype];
  const stray = contentsFieldsSet(contents).filter((other) => other !== field);
  if (stray.length > 0) {
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `${dtype} values go in ${field}; ${stray.join(', ')} is set; input name: ${name}`,
    );
  }
  const options: TypedValuesOptions = {
    elementCount: elementCount(shape),
    inputName: name,
    field,
    broadcast: false,
  };
  const c = contents ?? EMPTY_CONTENTS;
  switch (dtype) {
    case 'BYTES':
      return { dtype, shape, data: bytesElements(c.bytesContents, options) };
    case 'BOOL':
      return { dtype, shape, data: dataFromBooleans(c.boolContents, options) };
    case 'INT64':
      return { dtype, shape, data: dataFromBigints(dtype, c.int64Contents, options) };
    case 'UINT64':
      return { dtype, shape, data: dataFromBigints(dtype, c.uint64Contents, options) };
    case 'FP32':
      return { dtype, shape, data: dataFromNumbers(dtype, c.fp32Contents, options) };
    case 'FP64':
      return { dtype, shape, data: dataFromNumbers(dtype, c.fp64Contents, options) };
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return { dtype, shape, data: dataFromNumbers(dtype, c.intContents, options) };
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
      return { dtype, shape, data: dataFromNumbers(dtype, c.uintContents, options) };
  }
}

const EMPTY_CONTENTS: InferTensorContents = {
  boolContents: [],
  intContents: [],
  int64Contents: [],
  uintContents: [],
  uint64Contents: [],
  fp32Contents: [],
  fp64Contents: [],
  bytesContents: [],
};

/**
 * The inputs of a KServe v2 ModelInferRequest as Tensors, in request order. With
 * `raw_input_contents`, entry i is input i's row-major bytes (BYTES length-prefixed) and
 * numeric data is a view of it (no copy); otherwise each input's typed `contents` is copied
 * into a fresh array of its datatype. The two forms may not be mixed (KServe v2 gRPC spec).
 */
export function decodeInferInputs(request: ModelInferRequest): Map<string, Tensor> {
  const { inputs, rawInputContents: raw } = request;
  const useRaw = raw.length > 0;
  if (useRaw && raw.length !== inputs.length) {
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `raw_input_contents needs one entry per input, in input order - Expected: ${inputs.length}; Actual: ${raw.length}`,
    );
  }
  const tensors = new Map<string, Tensor>();
  for (const [index, input] of inputs.entries()) {
    const { name } = input;
    if (tensors.has(name)) {
      throw new ServingError(StatusCode.INVALID_ARGUMENT, `Duplicate input name: ${name}`);
    }
    const dtype = dataTypeOfInput(input);
    const shape = shapeFromDims(input.shape, name);
    if (!useRaw) {
      tensors.set(name, fromContents(dtype, shape, input.contents, name));
      continue;
    }
    const set = contentsFieldsSet(input.contents);
    if (set.length > 0) {
      throw new ServingError(
        StatusCode.INVALID_ARGUMENT,
        `raw_input_contents is used, so contents must be empty; ${set.join(', ')} is set; input name: ${name}`,
      );
    }
    tensors.set(name, fromRaw(dtype, shape, raw[index] ?? new Uint8Array(0), name));
  }
  return tensors;
}
