import { describe, expect, it } from 'vitest';
import { ServingError, bytesOf, createNumericTensor, type TensorMap } from '@ovms/core';
import { validateInputs, type InputCheck } from './input-validation.js';

const f32 = (shape: number[]) =>
  createNumericTensor('FP32', shape, bytesOf(new Float32Array(shape.reduce((a, b) => a * b, 1))));

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const check = (overrides: Partial<InputCheck> = {}): InputCheck => ({
  name: 'x',
  dtype: 'FP32',
  shape: [1, 3, 4],
  batchDim: 0,
  autoDims: new Set(),
  ...overrides,
});

describe('validateInputs', () => {
  it('accepts matching inputs and asks for no reshape', () => {
    expect(validateInputs(new Map([['x', f32([1, 3, 4])]]), [check()])).toBeUndefined();
  });

  it('names the batch dimension from the layout in INVALID_BATCH_SIZE', () => {
    const error = thrown(() =>
      validateInputs(new Map([['x', f32([1, 2, 4])]]), [check({ batchDim: 1 })]),
    );
    expect(error.code).toBe('INVALID_BATCH_SIZE');
    expect(error.message).toBe('Invalid input batch size - Expected: 3; Actual: 2; input name: x');
  });

  it('asks for a reshape where a dim is auto, and only there', () => {
    const inputs: TensorMap = new Map([['x', f32([2, 3, 4])]]);
    expect(validateInputs(inputs, [check({ autoDims: new Set([0]) })])).toEqual(
      new Map([['x', [2, 3, 4]]]),
    );
    const error = thrown(() =>
      validateInputs(new Map([['x', f32([2, 3, 5])]]), [check({ autoDims: new Set([0]) })]),
    );
    expect(error.message).toBe(
      'Invalid input shape - Expected: (1,3,4); Actual: (2,3,5); input name: x',
    );
  });

  it('lets shape auto take any rank, and dynamic dims any size', () => {
    const inputs: TensorMap = new Map([['x', f32([2, 2])]]);
    expect(validateInputs(inputs, [check({ autoDims: 'all' })])).toEqual(new Map([['x', [2, 2]]]));
    const dynamic = check({ autoDims: 'all', shape: [-1, 2] });
    expect(validateInputs(inputs, [dynamic])).toBeUndefined();
  });

  it('skips shape checks where the model rank is dynamic', () => {
    const inputs: TensorMap = new Map([['x', f32([7])]]);
    expect(validateInputs(inputs, [check({ shape: undefined })])).toBeUndefined();
  });

  it('refuses BYTES inputs with INVALID_PRECISION', () => {
    const inputs: TensorMap = new Map([['x', { dtype: 'BYTES', shape: [1], data: [] }]]);
    const error = thrown(() => validateInputs(inputs, [check({ dtype: 'BYTES' })]));
    expect(error.code).toBe('INVALID_PRECISION');
    expect(error.message).toBe(
      'Invalid input precision - BYTES inputs are not supported by the OpenVINO engine; input name: x',
    );
  });
});
