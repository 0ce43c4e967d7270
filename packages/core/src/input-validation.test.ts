import { describe, expect, it } from 'vitest';
import type { InputSpec } from './engine.js';
import { ServingError, StatusCode } from './status.js';
import { createBytesTensor, createNumericTensor, type Tensor, type TensorMap } from './tensor.js';
import { validateInputs } from './input-validation.js';

const specs: InputSpec[] = [
  { name: 'x', dtype: 'FP32', shape: [3, -1] },
  { name: 's', dtype: 'BYTES', shape: [-1] },
];

function inputs(xShape: number[], strings = 2): TensorMap {
  const count = xShape.reduce((a, b) => a * b, 1);
  return new Map<string, Tensor>([
    ['x', createNumericTensor('FP32', xShape, new Uint8Array(count * 4))],
    [
      's',
      createBytesTensor(
        [strings],
        Array.from({ length: strings }, () => new Uint8Array(1)),
      ),
    ],
  ]);
}

function failure(run: () => void): ServingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ServingError);
    return error as ServingError;
  }
  throw new Error('expected validateInputs to throw');
}

describe('validateInputs', () => {
  it('accepts inputs that match, dynamic dims and BYTES included', () => {
    expect(() => validateInputs(specs, inputs([3, 7]))).not.toThrow();
  });

  it('reports a mismatch in the batch dimension as INVALID_BATCH_SIZE', () => {
    const batched: InputSpec[] = specs.map((spec) => ({ ...spec, batchDim: 0 }));
    const error = failure(() => validateInputs(batched, inputs([2, 7])));
    expect(error.code).toBe(StatusCode.INVALID_BATCH_SIZE);
    expect(error.message).toBe('Invalid input batch size - Expected: 3; Actual: 2; input name: x');
  });

  it('reports the same mismatch as INVALID_SHAPE on an input without a batch dimension', () => {
    const error = failure(() => validateInputs(specs, inputs([2, 7])));
    expect(error.code).toBe(StatusCode.INVALID_SHAPE);
    expect(error.message).toBe(
      'Invalid input shape - Expected: (3,-1); Actual: (2,7); input name: x',
    );
  });

  it('reports a BYTES element count that does not match the shape', () => {
    const map = inputs([3, 1]);
    map.set('s', { dtype: 'BYTES', shape: [3], data: [new Uint8Array(1)] });
    const error = failure(() => validateInputs(specs, map));
    expect(error.code).toBe(StatusCode.INVALID_VALUE_COUNT);
    expect(error.message).toBe(
      'Invalid number of values in tensor proto container - Expected: 3; Actual: 1; input name: s',
    );
  });

  it('reports a negative dim as INVALID_SHAPE', () => {
    const map = inputs([3, 1]);
    map.set('x', { dtype: 'FP32', shape: [3, -2], data: new Uint8Array(0) });
    const error = failure(() => validateInputs(specs, map));
    expect(error.code).toBe(StatusCode.INVALID_SHAPE);
    expect(error.message).toContain('Actual: (3,-2)');
  });

  it('takes any size in a batch_size auto dim, but still checks the others', () => {
    const auto: InputSpec[] = specs.map((spec) => ({ ...spec, batchDim: 0, autoDims: [0] }));
    expect(() => validateInputs(auto, inputs([5, 7]))).not.toThrow();
    const fixedX: InputSpec[] = [
      { name: 'x', dtype: 'FP32', shape: [1, 4], batchDim: 0, autoDims: [0] },
      { name: 's', dtype: 'BYTES', shape: [-1] },
    ];
    const error = failure(() => validateInputs(fixedX, inputs([6, 5])));
    expect(error.code).toBe(StatusCode.INVALID_SHAPE);
    expect(error.message).toBe(
      'Invalid input shape - Expected: (1,4); Actual: (6,5); input name: x',
    );
    const rank = failure(() => validateInputs(fixedX, inputs([6])));
    expect(rank.code).toBe(StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS);
  });

  it('takes any size but not another rank on a shape auto input, and checks the content size', () => {
    const auto: InputSpec[] = [
      { name: 'x', dtype: 'FP32', shape: [1, 4], batchDim: 0, autoDims: 'all' },
      { name: 's', dtype: 'BYTES', shape: [-1] },
    ];
    expect(() => validateInputs(auto, inputs([7, 3]))).not.toThrow();
    expect(failure(() => validateInputs(auto, inputs([2, 3, 4]))).code).toBe(
      StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS,
    );
    const dynamicRank: InputSpec[] = [{ ...auto[0]!, shape: [] }, auto[1]!];
    expect(() => validateInputs(dynamicRank, inputs([2, 3, 4]))).not.toThrow();
    const map = inputs([2, 3]);
    map.set('x', { dtype: 'FP32', shape: [2, 3], data: new Uint8Array(8) });
    const error = failure(() => validateInputs(auto, map));
    expect(error.code).toBe(StatusCode.INVALID_CONTENT_SIZE);
    expect(error.message).toBe(
      'Invalid content size of tensor proto - Expected: 24 bytes; Actual: 8 bytes; input name: x',
    );
    const precision = inputs([2, 3]);
    precision.set('x', { dtype: 'FP16', shape: [2, 3], data: new Uint8Array(12) });
    expect(failure(() => validateInputs(auto, precision)).code).toBe(StatusCode.INVALID_PRECISION);
  });

  it('takes sizes inside a range dim, bounds included, and refuses others naming the range', () => {
    const ranged: InputSpec[] = [
      {
        name: 'x',
        dtype: 'FP32',
        shape: [-1, -1],
        batchDim: 0,
        dimRanges: [
          { min: 1, max: 3 },
          { min: 100, max: 200 },
        ],
      },
      { name: 's', dtype: 'BYTES', shape: [-1] },
    ];
    for (const size of [100, 150, 200]) {
      expect(() => validateInputs(ranged, inputs([2, size]))).not.toThrow();
    }
    for (const size of [99, 201, 250]) {
      const error = failure(() => validateInputs(ranged, inputs([2, size])));
      expect(error.code).toBe(StatusCode.INVALID_SHAPE);
      expect(error.message).toBe(
        `Invalid input shape - Expected: (1:3,100:200); Actual: (2,${size}); input name: x`,
      );
    }
    const batch = failure(() => validateInputs(ranged, inputs([4, 150])));
    expect(batch.code).toBe(StatusCode.INVALID_BATCH_SIZE);
    expect(batch.message).toBe(
      'Invalid input batch size - Expected: 1:3; Actual: 4; input name: x',
    );
  });
});
