import { describe, expect, it } from 'vitest';
import { bytesOf, createNumericTensor } from '@ovms/core';
import { formatFloat32, formatJsonNumber, nestedJsonArray, numericFormatter } from './writer.js';
import { parseJson } from './value.js';

describe('JSON number writing', () => {
  it('writes NaN, Infinity, -Infinity as tokens and keeps -0', () => {
    expect([NaN, Infinity, -Infinity, -0, 1.5].map(formatJsonNumber)).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '1.5',
    ]);
  });

  it('writes float32 in at most 9 digits that read back to the same float32', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(2.5e-7))).toBe('2.5e-7');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.333333343');
    expect(formatFloat32(Math.fround(1e30))).toBe('1e+30');
    for (const value of [Math.fround(Math.PI), Math.fround(-1.17549435e-38), 2 ** -149]) {
      expect(Math.fround(parseJson(formatFloat32(value)) as number)).toBe(value);
    }
  });

  it('nests row-major elements by shape', () => {
    const tensor = createNumericTensor(
      'INT32',
      [2, 3],
      bytesOf(new Int32Array([1, 2, 3, 4, 5, 6])),
    );
    expect(nestedJsonArray(numericFormatter(tensor), tensor.shape)).toBe('[[1,2,3],[4,5,6]]');
    expect(nestedJsonArray(numericFormatter(tensor), [3], 3)).toBe('[4,5,6]');
    expect(nestedJsonArray(numericFormatter(tensor), [], 5)).toBe('6');
  });
});
