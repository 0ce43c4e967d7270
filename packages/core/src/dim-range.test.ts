import { describe, expect, it } from 'vitest';
import { formatInputShape, splitShapeRanges } from './dim-range.js';

describe('splitShapeRanges', () => {
  it('puts -1 on range dims and keeps their bounds beside the shape', () => {
    expect(splitShapeRanges([1, { min: 100, max: 200 }, -1, 3])).toEqual({
      shape: [1, -1, -1, 3],
      dimRanges: [undefined, { min: 100, max: 200 }, undefined, undefined],
    });
  });

  it('leaves dimRanges out of a shape without ranges', () => {
    expect(splitShapeRanges([1, -1, 3])).toEqual({ shape: [1, -1, 3] });
  });
});

describe('formatInputShape', () => {
  it('prints ranges as min:max and other dims as they are, as OVMS does', () => {
    const spec = {
      name: 'x',
      dtype: 'FP32' as const,
      ...splitShapeRanges([1, { min: 100, max: 200 }, -1, 3]),
    };
    expect(formatInputShape(spec)).toBe('(1,100:200,-1,3)');
    expect(formatInputShape({ name: 'y', dtype: 'FP32', shape: [2, -1] })).toBe('(2,-1)');
  });
});
