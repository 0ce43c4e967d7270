import {
  ServingError,
  StatusCode,
  elementCount,
  formatShape,
  isDataType,
  type DataType,
  type Tensor,
  type TensorSpec,
} from '@ovms/core';
import {
  JsonReader,
  NdArrayReader,
  createTensorElements,
  scanNumber,
  skipJsonValue,
  startsNumber,
  tokenToNumber,
  type JsonReaderOptions,
} from '../json/index.js';
import {
  BinarySection,
  binaryTensor,
  decodeRawInput,
  parseInferenceHeaderLength,
} from './binary-section.js';
import {
  binaryDataSize,
  booleanParameter,
  readParameters,
  type KServeParameters,
} from './parameters.js';
import { invalid, readNameField } from './request-fields.js';
import { readRequestedOutputs, type KServeRequestedOutput } from './requested-outputs.js';

export interface KServeInferRequest {
  readonly id?: string;
  readonly parameters?: KServeParameters;
  readonly inputs: Map<string, Tensor>;
  readonly outputs?: KServeRequestedOutput[];
  /** `parameters.binary_data_output`: the default for outputs that do not say. */
  readonly binaryDataOutput?: boolean;
}

export interface KServeDecodeOptions extends JsonReaderOptions {
  /** The model's input when it has exactly one; a raw binary request needs it. */
  readonly singleInput?: TensorSpec;
}

/**
 * Decodes a KServe v2 REST infer request (inference_rest.md) with the binary data extension:
 * `inferenceHeaderContentLength` is the `Inference-Header-Content-Length` header. JSON `data`
 * goes straight into typed arrays; binary numeric data is a view of `body` (no copy). Every
 * field is checked for its kind as it begins (the body an object, `inputs` an array of
 * objects, names strings, ...), so a hostile body fails at its first wrong byte; unknown keys
 * are skipped without building their values.
 */
export function decodeKServeInferRequest(
  body: Uint8Array,
  inferenceHeaderContentLength: string | undefined,
  options: KServeDecodeOptions = {},
): KServeInferRequest {
  const jsonLength = parseInferenceHeaderLength(inferenceHeaderContentLength, body.byteLength);
  if (jsonLength === 0) {
    const tensor = decodeRawInput(body, options.singleInput);
    const name = options.singleInput?.name ?? '';
    return { inputs: new Map([[name, tensor]]), binaryDataOutput: true };
  }
  const end = jsonLength ?? body.byteLength;
  const reader = new JsonReader(body.subarray(0, end), options);
  reader.beginBodyObject();
  const binary = new BinarySection(body, end);
  const request: {
    id?: string;
    parameters?: KServeParameters;
    inputs?: Map<string, Tensor>;
    outputs?: KServeRequestedOutput[];
    binaryDataOutput?: boolean;
  } = {};
  for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
    if (key === 'id') {
      request.id = readNameField(reader, '"id"');
    } else if (key === 'parameters') {
      request.parameters = readParameters(reader, 'parameters');
      const binaryOutput = booleanParameter(request.parameters, 'binary_data_output', 'parameters');
      if (binaryOutput !== undefined) request.binaryDataOutput = binaryOutput;
    } else if (key === 'inputs') {
      request.inputs = readInputs(reader, binary);
    } else if (key === 'outputs') {
      request.outputs = readRequestedOutputs(reader);
    } else {
      skipJsonValue(reader);
    }
  }
  reader.finish();
  if (request.inputs === undefined) invalid('missing "inputs"');
  binary.finish();
  return request as KServeInferRequest;
}

function readInputs(reader: JsonReader, binary: BinarySection): Map<string, Tensor> {
  if (reader.peek() !== 0x5b) invalid('"inputs" must be an array');
  const inputs = new Map<string, Tensor>();
  reader.beginArray();
  for (let index = 0; reader.nextElement(index === 0); index++) {
    const [name, tensor] = readInput(reader, binary, index);
    if (inputs.has(name)) invalid(`input ${name} is given twice`);
    inputs.set(name, tensor);
  }
  return inputs;
}

interface InputFields {
  name?: string;
  shape?: number[];
  datatype?: string;
  parameters?: KServeParameters;
  /** Where `data` starts, so it can be read once `datatype` and `shape` are known. */
  dataAt?: number;
}

function readInput(reader: JsonReader, binary: BinarySection, index: number): [string, Tensor] {
  if (reader.peek() !== 0x7b) invalid(`inputs[${index}] must be an object`);
  const fields: InputFields = {};
  let tensor: Tensor | undefined;
  reader.beginObject();
  for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
    if (key === 'data') {
      fields.dataAt = reader.pos;
      // Clients write name, shape and datatype before data, so this reads in one pass; a
      // body in another key order is read again from `dataAt` once the object is done.
      if (fields.name !== undefined && fields.shape && isDataType(fields.datatype ?? '')) {
        tensor = readData(reader, fields.name, fields.datatype as DataType, fields.shape);
      } else {
        skipJsonValue(reader);
      }
    } else if (key === 'name') {
      fields.name = readNameField(reader, `inputs[${index}].name`);
    } else if (key === 'shape') {
      fields.shape = readShape(reader, `inputs[${index}].shape`);
    } else if (key === 'datatype') {
      fields.datatype = readNameField(reader, `inputs[${index}].datatype`);
    } else if (key === 'parameters') {
      fields.parameters = readParameters(reader, `inputs[${index}].parameters`);
    } else {
      skipJsonValue(reader);
    }
  }
  const { name, shape, datatype } = fields;
  if (name === undefined || shape === undefined || datatype === undefined) {
    const missing = (['name', 'shape', 'datatype'] as const).filter((f) => fields[f] === undefined);
    invalid(`inputs[${index}] is missing ${missing.join(', ')}`);
  }
  if (!isDataType(datatype)) {
    throw new ServingError(
      StatusCode.INVALID_PRECISION,
      `unknown datatype ${datatype} of input ${name}`,
    );
  }
  elementCount(shape);
  const size = binaryDataSize(fields.parameters, name);
  if (size !== undefined && fields.dataAt !== undefined) {
    invalid(`input ${name} has both "data" and binary_data_size`);
  }
  if (size !== undefined)
    return [name, binaryTensor(name, datatype, shape, binary.take(size, name))];
  if (fields.dataAt === undefined) invalid(`input ${name} has neither "data" nor binary_data_size`);
  if (tensor === undefined) {
    const resume = reader.pos;
    reader.pos = fields.dataAt;
    reader.depth += 1;
    tensor = readData(reader, name, datatype, shape);
    reader.depth -= 1;
    reader.pos = resume;
  }
  return [name, tensor];
}

/** `shape`: an array of numbers, each checked as it begins (elementCount checks the values). */
function readShape(reader: JsonReader, where: string): number[] {
  if (reader.peek() !== 0x5b) invalid(`${where} must be an array of numbers`);
  const shape: number[] = [];
  reader.beginArray();
  for (let first = true; reader.nextElement(first); first = false) {
    if (!startsNumber(reader.peek())) invalid(`${where} must be an array of numbers`);
    scanNumber(reader);
    shape.push(tokenToNumber(reader));
  }
  return shape;
}

function readData(
  reader: JsonReader,
  name: string,
  dtype: DataType,
  shape: readonly number[],
): Tensor {
  if (dtype === 'FP16' || dtype === 'BF16') {
    throw new ServingError(
      StatusCode.REST_UNSUPPORTED_PRECISION,
      `input ${name}: ${dtype} data cannot be sent as JSON; use the binary data extension`,
    );
  }
  const count = elementCount(shape);
  const label = `input ${name}`;
  // A hostile shape must not make us allocate: each JSON value takes at least two bytes.
  const capacity = Math.min(count, Math.ceil((reader.bytes.length - reader.pos) / 2) + 1);
  const elements = createTensorElements(dtype, { label, capacity });
  const array = new NdArrayReader(elements, label);
  if (reader.peek() === 0x5b) array.read(reader);
  else reader.unexpected('an array for "data"');
  if (elements.count !== count) {
    throw new ServingError(
      StatusCode.INVALID_VALUE_COUNT,
      `input ${name}: expected ${count} values for shape ${formatShape(shape)}; actual ${elements.count}`,
    );
  }
  return elements.toTensor(shape);
}
