import { describe, expect, it } from 'vitest';
import { StatusCode } from '@ovms/core';
import { servingFailure } from '../test/serving-failure.js';
import { parseInputLayout, toTensorLayout } from './layout.js';

describe('parseInputLayout', () => {
  it('NHWC:NCHW transposes tensor dims (0,3,1,2) into the model, batch first', () => {
    expect(parseInputLayout('NHWC:NCHW', 'x', 4)).toEqual({
      tensor: 'NHWC',
      model: 'NCHW',
      perm: [0, 3, 1, 2],
      batchDim: 0,
    });
  });

  it('a bare layout or equal sides only name the dims', () => {
    expect(parseInputLayout('nchw', 'x', 4)).toEqual({
      tensor: 'NCHW',
      model: 'NCHW',
      perm: undefined,
      batchDim: 0,
    });
    expect(parseInputLayout('CN:CN', 'x', 2)).toMatchObject({ perm: undefined, batchDim: 1 });
  });

  it('pairs unnamed dims (?) in order and finds N anywhere', () => {
    expect(parseInputLayout('H?N?:N??H', 'x', 4)).toMatchObject({
      perm: [2, 1, 3, 0],
      batchDim: 2,
    });
  });

  it('a layout without N has no batch dim of its own', () => {
    expect(parseInputLayout('HWC:CHW', 'x', 3)).toMatchObject({
      perm: [2, 0, 1],
      batchDim: undefined,
    });
  });

  it('refuses a layout whose rank is not the input rank', () => {
    const error = servingFailure(() => parseInputLayout('NHWC:NCHW', 'x', 2));
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'Invalid argument - layout NHWC:NCHW of x names 4 dims; the input has 2',
    );
  });

  it('refuses sides that name different dims, repeated letters and other syntax', () => {
    expect(servingFailure(() => parseInputLayout('NHWC:NCHD', 'x', 4)).message).toBe(
      'Invalid argument - layout NHWC:NCHD of x: NHWC and NCHD must name the same dims',
    );
    expect(servingFailure(() => parseInputLayout('NHHC', 'x', 4)).message).toBe(
      'Invalid argument - layout NHHC of x repeats a dim letter',
    );
    for (const text of ['N...', '[N,C]', 'NC:CN:NC', '']) {
      expect(servingFailure(() => parseInputLayout(text, 'x', 2)).message).toContain(
        `layout ${text} of x is not LAYOUT or TENSOR_LAYOUT:MODEL_LAYOUT`,
      );
    }
  });
});

describe('toTensorLayout', () => {
  it('shows NCHW model dims as a client sending NHWC sees them', () => {
    const { perm } = parseInputLayout('NHWC:NCHW', 'x', 4);
    expect(toTensorLayout([1, 3, 224, 200], perm ?? [])).toEqual([1, 224, 200, 3]);
    expect(toTensorLayout(['batch', 3, '', 200], perm ?? [])).toEqual(['batch', '', 200, 3]);
  });
});
