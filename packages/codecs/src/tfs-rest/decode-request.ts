import { ServingError, StatusCode, elementCount, type Tensor, type TensorSpec } from '@ovms/core';
import {
  JsonReader,
  MAX_JSON_NAME_BYTES,
  NdArrayReader,
  createTensorElements,
  skipJsonValue,
  type JsonReaderOptions,
} from '../json/index.js';

export type TfsRequestFormat = 'row' | 'column';

/** A decoded TF Serving REST predict request. */
export interface TfsPredictRequest {
  readonly format: TfsRequestFormat;
  readonly signatureName?: string;
  readonly inputs: Map<string, Tensor>;
}

/**
 * Decodes a TF Serving REST predict body (api_rest.md, "Request format") into tensors of the
 * dtypes the model's `inputs` declare, reading numbers straight into typed arrays. Row format
 * (`instances`) stacks instances along dimension 0; column format (`inputs`) takes each tensor
 * as given. Only JSON structure and element types are checked here; shapes against the model
 * are the server's job. Each value is checked as it begins (the body an object, `instances`
 * an array, elements of the input's dtype), so a hostile body fails at its first wrong byte;
 * keys TF Serving ignores are skipped without building their values.
 */
export function decodeTfsPredictRequest(
  body: string | Uint8Array,
  inputs: readonly TensorSpec[],
  options?: JsonReaderOptions,
): TfsPredictRequest {
  const reader = new JsonReader(body, options);
  reader.beginBodyObject();
  const specs = new Map(inputs.map((spec) => [spec.name, spec]));
  let format: TfsRequestFormat | undefined;
  let signatureName: string | undefined;
  let tensors = new Map<string, Tensor>();
  for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
    if (key === 'instances' || key === 'inputs') {
      if (format !== undefined) {
        throw new ServingError(
          StatusCode.REST_PREDICT_UNKNOWN_ORDER,
          'both "instances" and "inputs" are present',
        );
      }
      format = key === 'instances' ? 'row' : 'column';
      tensors = format === 'row' ? readInstances(reader, specs) : readColumns(reader, specs);
    } else if (key === 'signature_name') {
      if (reader.peek() !== 0x22) {
        reader.fail('"signature_name" must be a string', StatusCode.INVALID_ARGUMENT);
      }
      signatureName = reader.readString(MAX_JSON_NAME_BYTES, '"signature_name"');
    } else {
      // TF Serving ignores other keys; they must still be valid JSON.
      skipJsonValue(reader);
    }
  }
  reader.finish();
  if (format === undefined) {
    throw new ServingError(
      StatusCode.REST_PREDICT_UNKNOWN_ORDER,
      'expected "instances" (row) or "inputs" (column)',
    );
  }
  for (const spec of inputs) {
    if (!tensors.has(spec.name)) {
      throw new ServingError(StatusCode.INVALID_MISSING_INPUT, `missing input ${spec.name}`);
    }
  }
  return signatureName === undefined
    ? { format, inputs: tensors }
    : { format, signatureName, inputs: tensors };
}

type Specs = ReadonlyMap<string, TensorSpec>;

function specFor(specs: Specs, name: string): TensorSpec {
  const spec = specs.get(name);
  if (spec === undefined) {
    throw new ServingError(
      StatusCode.INVALID_UNEXPECTED_INPUT,
      `${name}; the model's inputs are ${[...specs.keys()].join(', ')}`,
    );
  }
  return spec;
}

function onlySpec(specs: Specs, what: string): TensorSpec {
  const [only, ...others] = specs.values();
  if (only === undefined || others.length > 0) {
    throw new ServingError(
      StatusCode.INVALID_NO_OF_INPUTS,
      `${what} fits a model with one input; this model has ${specs.size}`,
    );
  }
  return only;
}

/**
 * Whether the ndarray at the reader opens with an object: only `{"b64": …}` can, and OVMS takes
 * it as binary data (an image) for an input of any type, so the input is read as BYTES and the
 * model's servable decodes it.
 */
function opensWithObject(reader: JsonReader): boolean {
  const bytes = reader.bytes;
  for (let at = reader.pos; at < bytes.length; at++) {
    const c = bytes[at];
    // '[' and JSON whitespace.
    if (c === 0x5b || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b;
  }
  return false;
}

function ndArrayFor(spec: TensorSpec, reader: JsonReader): NdArrayReader {
  const label = `input ${spec.name}`;
  // Each JSON number takes at least two bytes ("1,"), which bounds any guess. A fully known
  // shape is the likely count (growing to it would copy the elements read so far, twice for
  // an image); otherwise start from a modest guess and grow.
  const bound = Math.ceil((reader.bytes.length - reader.pos) / 2) + 1;
  const known = spec.shape.every((dim) => dim >= 0) ? elementCount(spec.shape) : 0;
  const capacity = Math.min(bound, Math.max(known, 64 * 1024));
  const dtype = opensWithObject(reader) ? 'BYTES' : spec.dtype;
  const elements = createTensorElements(dtype, { label, capacity, base64Objects: true });
  return new NdArrayReader(elements, label);
}

/**
 * Whether the value at the reader is `{"b64": …}` (a BYTES element) rather than an object of
 * named inputs; an input actually called "b64" keeps its name.
 */
function isBase64Object(reader: JsonReader, specs: Specs): boolean {
  if (reader.peek() !== 0x7b || specs.has('b64')) return false;
  const start = reader.pos;
  const depth = reader.depth;
  reader.beginObject();
  const key = reader.nextKey(true);
  reader.pos = start;
  reader.depth = depth;
  return key === 'b64';
}

function readColumns(reader: JsonReader, specs: Specs): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  if (reader.peek() !== 0x7b || isBase64Object(reader, specs)) {
    const spec = onlySpec(specs, 'a bare "inputs" value');
    const array = ndArrayFor(spec, reader);
    array.read(reader);
    tensors.set(spec.name, array.elements.toTensor(array.shape()));
    return tensors;
  }
  reader.beginObject();
  for (let name = reader.nextKey(true); name !== undefined; name = reader.nextKey(false)) {
    const spec = specFor(specs, name);
    if (tensors.has(name)) {
      reader.fail(`input ${name} is given twice`, StatusCode.REST_COULD_NOT_PARSE_INPUT);
    }
    const array = ndArrayFor(spec, reader);
    array.read(reader);
    tensors.set(name, array.elements.toTensor(array.shape()));
  }
  return tensors;
}

function readInstances(reader: JsonReader, specs: Specs): Map<string, Tensor> {
  if (reader.peek() !== 0x5b) throw new ServingError(StatusCode.REST_INSTANCES_NOT_ARRAY);
  const start = reader.pos;
  const depth = reader.depth;
  reader.beginArray();
  if (!reader.nextElement(true)) throw new ServingError(StatusCode.REST_INSTANCES_EMPTY);
  const named = reader.peek() === 0x7b && !isBase64Object(reader, specs);
  reader.pos = start;
  reader.depth = depth;
  if (!named) {
    // api_rest.md: a single-input model may list bare values, one per instance.
    const [spec] = specs.values();
    if (spec === undefined || specs.size !== 1) {
      reader.fail(
        `instances of a model with ${specs.size} inputs must be objects`,
        StatusCode.REST_NAMED_INSTANCE_NOT_OBJECT,
      );
    }
    const array = ndArrayFor(spec, reader);
    array.read(reader);
    return new Map([[spec.name, array.elements.toTensor(array.shape())]]);
  }
  return readNamedInstances(reader, specs);
}

function readNamedInstances(reader: JsonReader, specs: Specs): Map<string, Tensor> {
  const arrays = new Map<string, NdArrayReader>();
  const rows = new Map<string, number>();
  let instances = 0;
  reader.beginArray();
  for (let first = true; reader.nextElement(first); first = false) {
    if (reader.peek() !== 0x7b) {
      reader.fail(
        `instance ${instances} is ${reader.describeNext()}`,
        StatusCode.REST_NAMED_INSTANCE_NOT_OBJECT,
      );
    }
    reader.beginObject();
    for (let name = reader.nextKey(true); name !== undefined; name = reader.nextKey(false)) {
      let array = arrays.get(name);
      if (array === undefined) {
        array = ndArrayFor(specFor(specs, name), reader);
        arrays.set(name, array);
      }
      // Depth 1: dimension 0 is the instance index, shared by every input.
      array.read(reader, 1);
      rows.set(name, (rows.get(name) ?? 0) + 1);
    }
    instances += 1;
  }
  const tensors = new Map<string, Tensor>();
  for (const [name, array] of arrays) {
    const count = rows.get(name) ?? 0;
    if (count !== instances) {
      throw new ServingError(
        StatusCode.REST_INSTANCES_BATCH_SIZE_DIFFER,
        `input ${name} is in ${count} of ${instances} instances`,
      );
    }
    tensors.set(name, array.elements.toTensor(array.shape(instances)));
  }
  return tensors;
}
