import { describe, expect, it } from 'vitest';
import { boundedDims } from './port-dims.js';

describe('boundedDims', () => {
  it('keeps sizes, makes intervals -1 and keeps the bounds of those with a max', () => {
    expect(
      boundedDims([
        { min: 1, max: 1 },
        { min: 100, max: 200 },
        { min: 0, max: -1 },
        { min: 0, max: 8 },
      ]),
    ).toEqual({
      shape: [1, -1, -1, -1],
      dimRanges: [undefined, { min: 100, max: 200 }, undefined, { min: 0, max: 8 }],
    });
  });

  it('leaves dimRanges out when no dim is bounded', () => {
    expect(
      boundedDims([
        { min: 0, max: -1 },
        { min: 3, max: 3 },
      ]),
    ).toEqual({ shape: [-1, 3] });
  });
});
