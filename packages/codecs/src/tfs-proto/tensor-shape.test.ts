import { describe, expect, it } from 'vitest';
import { ServingError } from '@ovms/core';
import { shapeFromDims, shapeFromTensorProto, tensorShapeProto } from './tensor-shape.js';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

describe('tensor shapes', () => {
  it('round-trips a known shape through TensorShapeProto', () => {
    const proto = tensorShapeProto([1, 3, 224, 224]);
    expect(proto).toEqual({
      dim: [1n, 3n, 224n, 224n].map((size) => ({ size, name: '' })),
      unknownRank: false,
    });
    expect(shapeFromTensorProto(proto, 'x')).toEqual([1, 3, 224, 224]);
  });

  it('reads an absent tensor_shape as a scalar, as TensorFlow does', () => {
    expect(shapeFromTensorProto(undefined, 'x')).toEqual([]);
  });

  it('refuses unknown (-1) and other negative dimensions', () => {
    const error = thrown(() => shapeFromDims([2n, -1n], 'x'));
    expect(error.code).toBe('INVALID_SHAPE');
    expect(error.message).toBe(
      'Invalid input shape - Dimensions must be non-negative; Actual: (2,-1); input name: x',
    );
  });

  it('refuses unknown_rank', () => {
    const error = thrown(() => shapeFromTensorProto({ dim: [], unknownRank: true }, 'x'));
    expect(error.code).toBe('INVALID_SHAPE');
    expect(error.message).toBe(
      'Invalid input shape - unknown_rank is set; a request tensor needs known dimensions; input name: x',
    );
  });

  it('refuses more than 2^31 - 1 elements, and dims beyond safe integers', () => {
    const error = thrown(() => shapeFromDims([65536n, 65536n], 'x'));
    expect(error.code).toBe('INVALID_SHAPE');
    expect(error.message).toBe(
      'Invalid input shape - tensor of shape (65536,65536) has more than 2147483647 elements; input name: x',
    );
    expect(thrown(() => shapeFromDims([2n ** 63n - 1n], 'x')).message).toBe(
      'Invalid input shape - dimensions must be non-negative integers; actual (9223372036854775807); input name: x',
    );
  });
});
