import { describe, expect, it } from 'vitest';
import { ServingError, typedView } from '@ovms/core';
import {
  bytesElements,
  dataFromBigints,
  dataFromBooleans,
  dataFromNumbers,
  type TypedValuesOptions,
} from './typed-values.js';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const options = (elementCount: number, broadcast = false): TypedValuesOptions => ({
  elementCount,
  inputName: 'x',
  field: 'int_val',
  broadcast,
});

describe('typed values', () => {
  it('writes each kind of value into a fresh array of the dtype', () => {
    expect([...typedView('INT16', dataFromNumbers('INT16', [-2, 3], options(2)))]).toEqual([-2, 3]);
    expect([...dataFromBooleans([true, false, true], options(3))]).toEqual([1, 0, 1]);
    const big = 2n ** 64n - 1n;
    expect([...typedView('UINT64', dataFromBigints('UINT64', [big], options(1)))]).toEqual([big]);
  });

  it('broadcasts one value only when asked (TF Serving version-0 rule)', () => {
    expect([...typedView('FP64', dataFromNumbers('FP64', [0.5], options(3, true)))]).toEqual([
      0.5, 0.5, 0.5,
    ]);
    expect([...dataFromBooleans([true], options(2, true))]).toEqual([1, 1]);
    expect(dataFromBigints('INT64', [-1n], options(2, true)).byteLength).toBe(16);
    const only = new Uint8Array([1]);
    expect(bytesElements([only], options(2, true))).toEqual([only, only]);
    const error = thrown(() => dataFromNumbers('FP32', [1], options(3)));
    expect(error.code).toBe('INVALID_VALUE_COUNT');
    expect(error.message).toBe(
      'Invalid number of values in tensor proto container - Expected: 3; Actual: 1; input name: x',
    );
  });

  it.each([
    ['UINT8', [0, 300], 'UINT8 values in [0, 255]; Actual: 300 at int_val[1]'],
    ['INT8', [-129], 'INT8 values in [-128, 127]; Actual: -129 at int_val[0]'],
    ['INT16', [40000], 'INT16 values in [-32768, 32767]; Actual: 40000 at int_val[0]'],
    ['UINT16', [-1], 'UINT16 values in [0, 65535]; Actual: -1 at int_val[0]'],
    ['FP16', [70000], 'FP16 values in [0, 65535]; Actual: 70000 at int_val[0]'],
    ['BF16', [-1], 'BF16 values in [0, 65535]; Actual: -1 at int_val[0]'],
    ['UINT32', [-5], 'UINT32 values in [0, 4294967295]; Actual: -5 at int_val[0]'],
  ] as const)('refuses out-of-range %s values with INVALID_ARGUMENT', (dtype, values, detail) => {
    const error = thrown(() => dataFromNumbers(dtype, values, options(values.length)));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(`Invalid argument - Expected: ${detail}; input name: x`);
  });
});
