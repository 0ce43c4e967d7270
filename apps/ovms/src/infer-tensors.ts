import {
  ServingError,
  StatusCode,
  TYPED_ARRAY_OF,
  bytesOf,
  byteSizeOf,
  elementCount,
  typedView,
} from '@ovms/core';
import type {
  DataType,
  NumericDataType,
  NumericTypedArray,
  Tensor,
  TensorMap,
  TensorSpec,
} from '@ovms/core';

/**
 * An input given with its shape (and, where the array's type does not say it, its dtype).
 * Numeric data is a typed array of the dtype's elements (FP16/BF16 as their 16-bit patterns in
 * a Uint16Array, BOOL as a Uint8Array) or those elements' bytes in a Uint8Array; BYTES data is
 * one string (UTF-8 encoded) or Uint8Array per element. A core `Tensor` is one of these.
 */
export interface InferTensor {
  readonly data: NumericTypedArray | readonly (string | Uint8Array)[];
  readonly shape: readonly number[];
  /** Absent: the model input's dtype when the array fits it, else the array's own type. */
  readonly dtype?: DataType;
}

/**
 * One input of `ModelServer.infer`: a typed array or an array of strings takes the model
 * input's shape when that shape is fixed and holds as many elements, else a one-dimensional
 * shape; give `{ data, shape }` otherwise.
 */
export type InferInput = NumericTypedArray | readonly string[] | InferTensor;

/** Inputs by name. */
export type InferInputs = Readonly<Record<string, InferInput>>;

/**
 * One output of `ModelServer.infer`: numeric data as a typed array of its dtype (a view, no
 * copy; FP16/BF16 as Uint16Array bit patterns, BOOL as Uint8Array), BYTES as one Uint8Array
 * per element.
 */
export interface InferOutput {
  readonly dtype: DataType;
  readonly shape: readonly number[];
  readonly data: NumericTypedArray | readonly Uint8Array[];
}

/** Outputs by name, in the model's order. */
export type InferOutputs = Record<string, InferOutput>;

/** The dtype a typed array stands for when nothing else says; Buffer counts as Uint8Array. */
const DTYPE_OF_ARRAY: readonly (readonly [
  abstract new (...args: never[]) => unknown,
  NumericDataType,
])[] = [
  [Float32Array, 'FP32'],
  [Float64Array, 'FP64'],
  [Int8Array, 'INT8'],
  [Uint8Array, 'UINT8'],
  [Int16Array, 'INT16'],
  [Uint16Array, 'UINT16'],
  [Int32Array, 'INT32'],
  [Uint32Array, 'UINT32'],
  [BigInt64Array, 'INT64'],
  [BigUint64Array, 'UINT64'],
];

const utf8 = new TextEncoder();

/**
 * The request tensors for `inputs`, with shapes and dtypes filled in from `specs` (the
 * servable's inputs) where the caller left them out. Only the form of each value is checked
 * here (INVALID_ARGUMENT naming the input); whether it fits the model is the servable's check.
 */
export function toTensorMap(inputs: InferInputs, specs: readonly TensorSpec[]): TensorMap {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const tensors: TensorMap = new Map();
  for (const [name, value] of Object.entries(inputs))
    tensors.set(name, toTensor(name, value, byName.get(name)));
  return tensors;
}

/** The outputs as `infer` answers them: typed views of numeric tensors, byte strings as they are. */
export function fromTensorMap(outputs: TensorMap): InferOutputs {
  const result: InferOutputs = {};
  for (const [name, tensor] of outputs) {
    result[name] =
      tensor.dtype === 'BYTES'
        ? tensor
        : { dtype: tensor.dtype, shape: tensor.shape, data: typedView(tensor.dtype, tensor.data) };
  }
  return result;
}

function toTensor(name: string, value: InferInput, spec: TensorSpec | undefined): Tensor {
  const given: Partial<InferTensor> & Pick<InferTensor, 'data'> = isBare(value)
    ? { data: value }
    : checkTensorInput(name, value);
  const { data } = given;
  if (ArrayBuffer.isView(data)) return numericTensor(name, data, given.shape, given.dtype, spec);
  if (given.dtype !== undefined && given.dtype !== 'BYTES')
    throw invalid(name, `${given.dtype} data must be a typed array; got an array`);
  const elements = data.map((element, index) => {
    if (typeof element === 'string') return utf8.encode(element);
    if (element instanceof Uint8Array) return element;
    throw invalid(
      name,
      `BYTES element ${index} must be a string or a Uint8Array; got ${describe(element)}`,
    );
  });
  return { dtype: 'BYTES', shape: given.shape ?? shapeFor(elements.length, spec), data: elements };
}

function numericTensor(
  name: string,
  array: NumericTypedArray,
  shape: readonly number[] | undefined,
  dtype: DataType | undefined,
  spec: TensorSpec | undefined,
): Tensor {
  if (dtype === 'BYTES')
    throw invalid(name, 'BYTES data must be an array of strings or Uint8Arrays; got a typed array');
  const chosen = dtype ?? specDtypeFitting(array, spec) ?? dtypeOfArray(name, array);
  // Raw bytes of any dtype come as a Uint8Array; any other array must hold the dtype's elements.
  if (!(array instanceof Uint8Array) && !(array instanceof TYPED_ARRAY_OF[chosen]))
    throw invalid(
      name,
      `${chosen} data must be a ${TYPED_ARRAY_OF[chosen].name} or its bytes in a Uint8Array; got ${describe(array)}`,
    );
  // Without a shape the array is bare, so its elements are the dtype's: a whole count.
  const count = array.byteLength / byteSizeOf(chosen);
  return { dtype: chosen, shape: shape ?? shapeFor(count, spec), data: bytesOf(array) };
}

/** The model input's dtype when the array holds its elements (so Uint16Array serves FP16). */
function specDtypeFitting(
  array: NumericTypedArray,
  spec: TensorSpec | undefined,
): NumericDataType | undefined {
  if (spec === undefined || spec.dtype === 'BYTES') return undefined;
  return array instanceof TYPED_ARRAY_OF[spec.dtype] ? spec.dtype : undefined;
}

function dtypeOfArray(name: string, array: NumericTypedArray): NumericDataType {
  const found = DTYPE_OF_ARRAY.find(([Ctor]) => array instanceof Ctor);
  if (found === undefined) throw invalid(name, `unsupported typed array ${describe(array)}`);
  return found[1];
}

/** The model input's shape when it is fixed and holds `count` elements, else `[count]`. */
function shapeFor(count: number, spec: TensorSpec | undefined): readonly number[] {
  if (spec === undefined || spec.shape.some((dim) => dim < 0)) return [count];
  return elementCount(spec.shape) === count ? spec.shape : [count];
}

function isBare(value: InferInput): value is NumericTypedArray | readonly string[] {
  return ArrayBuffer.isView(value) || Array.isArray(value);
}

function checkTensorInput(name: string, value: unknown): InferTensor {
  const input = value as Partial<InferTensor> | null;
  const data: unknown = input?.data;
  const dataOk = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
  if (typeof input !== 'object' || input === null || !dataOk || !Array.isArray(input.shape))
    throw invalid(
      name,
      `expected a typed array, an array of strings or { data, shape, dtype? }; got ${describe(value)}`,
    );
  return input as InferTensor;
}

function invalid(name: string, detail: string): ServingError {
  return new ServingError(StatusCode.INVALID_ARGUMENT, `input ${name}: ${detail}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return value.constructor.name;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
