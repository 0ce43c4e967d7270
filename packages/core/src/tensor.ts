import { DATA_TYPES, type DataType, type NumericDataType } from './data-type.js';
import { ServingError, StatusCode } from './status.js';

/**
 * A tensor with numeric elements. `data` is little-endian, row-major and usually a view over
 * the request's own buffer (no copy); make typed views with `typedView`.
 */
export interface NumericTensor {
  readonly dtype: NumericDataType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** A BYTES (DT_STRING) tensor: one byte string per element. */
export interface BytesTensor {
  readonly dtype: 'BYTES';
  readonly shape: readonly number[];
  readonly data: readonly Uint8Array[];
}

export type Tensor = NumericTensor | BytesTensor;

/** Tensors by name, in the order they were given. */
export type TensorMap = Map<string, Tensor>;

/** Largest element count a tensor may have; larger shapes are refused before any allocation. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

export function formatShape(shape: readonly (number | bigint)[]): string {
  return `(${shape.join(',')})`;
}

/**
 * Number of elements of `shape`, validated: every dimension a non-negative safe integer and
 * the product at most MAX_TENSOR_ELEMENTS. Accepts the bigint dims proto decoders produce.
 */
export function elementCount(shape: readonly (number | bigint)[]): number {
  let count = 1;
  for (const dim of shape) {
    const size = typeof dim === 'bigint' ? Number(dim) : dim;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ServingError(
        StatusCode.INVALID_SHAPE,
        `dimensions must be non-negative integers; actual ${formatShape(shape)}`,
      );
    }
    count *= size;
    if (count > MAX_TENSOR_ELEMENTS) {
      throw new ServingError(
        StatusCode.INVALID_SHAPE,
        `tensor of shape ${formatShape(shape)} has more than ${MAX_TENSOR_ELEMENTS} elements`,
      );
    }
  }
  return count;
}

/** Validated shape as plain numbers (proto decoders may give bigints). */
export function toShape(dims: readonly (number | bigint)[]): number[] {
  elementCount(dims);
  return dims.map(Number);
}

export type TypedArrayFor<T extends NumericDataType> = T extends 'BOOL' | 'UINT8'
  ? Uint8Array
  : T extends 'INT8'
    ? Int8Array
    : T extends 'UINT16' | 'FP16' | 'BF16'
      ? Uint16Array
      : T extends 'INT16'
        ? Int16Array
        : T extends 'UINT32'
          ? Uint32Array
          : T extends 'INT32'
            ? Int32Array
            : T extends 'UINT64'
              ? BigUint64Array
              : T extends 'INT64'
                ? BigInt64Array
                : T extends 'FP32'
                  ? Float32Array
                  : Float64Array;

export type NumericTypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

interface TypedArrayConstructorLike {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericTypedArray;
  new (length: number): NumericTypedArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** The typed array class holding one dtype's elements (FP16/BF16 as their 16-bit patterns). */
export const TYPED_ARRAY_OF: { readonly [T in NumericDataType]: TypedArrayConstructorLike } = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  INT8: Int8Array,
  UINT16: Uint16Array,
  INT16: Int16Array,
  FP16: Uint16Array,
  BF16: Uint16Array,
  UINT32: Uint32Array,
  INT32: Int32Array,
  FP32: Float32Array,
  UINT64: BigUint64Array,
  INT64: BigInt64Array,
  FP64: Float64Array,
};

/**
 * A typed view of a numeric tensor's bytes. Shares the tensor's buffer when the byte offset is
 * aligned to the element size; otherwise copies once (typed arrays cannot be misaligned).
 * Assumes a little-endian host, as every platform Node supports is.
 */
export function typedView<T extends NumericDataType>(
  dtype: T,
  bytes: Uint8Array,
): TypedArrayFor<T> {
  const Ctor = TYPED_ARRAY_OF[dtype];
  const size = Ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) {
    throw new ServingError(
      StatusCode.INVALID_CONTENT_SIZE,
      `${bytes.byteLength} bytes is not a whole number of ${dtype} elements`,
    );
  }
  const length = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) {
    return new Ctor(bytes.buffer, bytes.byteOffset, length) as TypedArrayFor<T>;
  }
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new Ctor(aligned.buffer, 0, length) as TypedArrayFor<T>;
}

/** The bytes of a typed array, as a view (no copy). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Byte size a numeric tensor of this dtype and shape must have. */
export function expectedByteSize(dtype: NumericDataType, shape: readonly number[]): number {
  return elementCount(shape) * DATA_TYPES[dtype].byteSize;
}

export function isBytesTensor(tensor: Tensor): tensor is BytesTensor {
  return tensor.dtype === 'BYTES';
}

export function createNumericTensor(
  dtype: NumericDataType,
  shape: readonly number[],
  data: Uint8Array,
): NumericTensor {
  const expected = expectedByteSize(dtype, shape);
  if (data.byteLength !== expected) {
    throw new ServingError(
      StatusCode.INVALID_CONTENT_SIZE,
      `expected ${expected} bytes for ${dtype} ${formatShape(shape)}; actual ${data.byteLength}`,
    );
  }
  return { dtype, shape, data };
}

export function createBytesTensor(
  shape: readonly number[],
  data: readonly Uint8Array[],
): BytesTensor {
  const expected = elementCount(shape);
  if (data.length !== expected) {
    throw new ServingError(
      StatusCode.INVALID_VALUE_COUNT,
      `expected ${expected} elements for BYTES ${formatShape(shape)}; actual ${data.length}`,
    );
  }
  return { dtype: 'BYTES', shape, data };
}

export type { DataType };
