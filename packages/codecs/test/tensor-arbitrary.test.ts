import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { elementCount } from '@ovms/core';
import { ALL_DTYPES, elementsOf, tensorArbitrary } from './support/tensor-arbitrary.js';

describe('tensorArbitrary', () => {
  it('makes valid tensors of every dtype', () => {
    for (const dtype of ALL_DTYPES) {
      fc.assert(
        fc.property(tensorArbitrary(dtype), (tensor) => {
          expect(elementsOf(tensor)).toHaveLength(elementCount(tensor.shape));
        }),
        { numRuns: 20 },
      );
    }
  });
});
