import fc from 'fast-check';
import { expect } from 'vitest';
import {
  DATA_TYPES,
  ServingError,
  TYPED_ARRAY_OF,
  bytesOf,
  createBytesTensor,
  createNumericTensor,
  elementCount,
  isBytesTensor,
  typedView,
  type DataType,
  type Tensor,
} from '@ovms/core';
import { bfloat16BitsToNumber, halfBitsToNumber } from '../../src/json/small-float.js';

/** Test support shared by the REST codec tests: tensors of any dtype, and comparison. */

export const ALL_DTYPES = Object.keys(DATA_TYPES) as DataType[];

const INT_BOUNDS: Partial<Record<DataType, [number, number]>> = {
  BOOL: [0, 1],
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  FP16: [0, 65535],
  BF16: [0, 65535],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT32: [0, 2 ** 32 - 1],
};

function elementArbitrary(dtype: DataType, utf8Only: boolean): fc.Arbitrary<unknown> {
  const bounds = INT_BOUNDS[dtype];
  if (bounds) return fc.integer({ min: bounds[0], max: bounds[1] });
  if (dtype === 'INT64') return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  if (dtype === 'UINT64') return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  if (dtype === 'FP32') return fc.float();
  if (dtype === 'FP64') return fc.double();
  return utf8Only
    ? fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => new TextEncoder().encode(s))
    : fc.uint8Array({ maxLength: 8 });
}

export interface TensorArbitraryOptions {
  readonly minRank?: number;
  readonly maxRank?: number;
  /** Smallest dimension; 1 where a format cannot express empty inner dimensions. */
  readonly minDim?: number;
  /** BYTES elements limited to UTF-8 text (KServe JSON carries BYTES as strings). */
  readonly utf8Only?: boolean;
  /** Forces dimension 0, for tensors that must share a batch. */
  readonly batch?: number;
}

export function shapeArbitrary(options: TensorArbitraryOptions = {}): fc.Arbitrary<number[]> {
  const dim = fc.integer({ min: options.minDim ?? 0, max: 4 });
  return fc
    .array(dim, { minLength: options.minRank ?? 0, maxLength: options.maxRank ?? 3 })
    .map((shape) =>
      options.batch !== undefined && shape.length > 0 ? [options.batch, ...shape.slice(1)] : shape,
    );
}

export function tensorArbitrary(
  dtype: DataType,
  options: TensorArbitraryOptions = {},
): fc.Arbitrary<Tensor> {
  return shapeArbitrary(options).chain((shape) => {
    const count = elementCount(shape);
    return fc
      .array(elementArbitrary(dtype, options.utf8Only ?? false), {
        minLength: count,
        maxLength: count,
      })
      .map((values): Tensor => {
        if (dtype === 'BYTES') return createBytesTensor(shape, values as Uint8Array[]);
        const array = new TYPED_ARRAY_OF[dtype](count);
        values.forEach((value, i) => ((array as unknown as unknown[])[i] = value));
        return createNumericTensor(dtype, shape, bytesOf(array));
      });
  });
}

/** Element values for comparison: floats as numbers (NaN-equal via toEqual), bytes as lists. */
export function elementsOf(tensor: Tensor): unknown[] {
  if (isBytesTensor(tensor)) return tensor.data.map((element) => [...element]);
  const view = [...typedView(tensor.dtype, tensor.data)];
  if (tensor.dtype === 'FP16') return view.map((bits) => halfBitsToNumber(Number(bits)));
  if (tensor.dtype === 'BF16') return view.map((bits) => bfloat16BitsToNumber(Number(bits)));
  return view;
}

export function expectSameTensor(actual: Tensor | undefined, expected: Tensor): void {
  expect(actual?.dtype).toBe(expected.dtype);
  expect(actual?.shape).toEqual(expected.shape);
  if (actual) expect(elementsOf(actual)).toEqual(elementsOf(expected));
}

/** Runs `fn`, requiring it to throw a ServingError, and returns that error. */
export function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}
