import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_INPUT_NAME } from '@ovms/core';
import type { ShapeDim } from './server-config.js';
import {
  parseLayoutSetting,
  parseLayoutText,
  parseShapeSetting,
  parseShapeText,
} from './shape-layout.js';

const dimText = (dim: ShapeDim) =>
  typeof dim === 'number' ? String(dim) : `${dim.min}:${dim.max}`;

describe('parseShapeText (OVMS Shape::fromString)', () => {
  it.each([
    ['(1,3,224,224)', [1, 3, 224, 224]],
    [' ( 1 , 3 ) ', [1, 3]],
    ['(-1,10)', [-1, 10]],
    ['(1,0)', [1, 0]],
    ['(1:8,3)', [{ min: 1, max: 8 }, 3]],
    ['auto', 'auto'],
  ])('%j', (text, value) => {
    expect(parseShapeText(text)).toEqual({ ok: true, value });
  });

  it.each([
    [
      '[1,3]',
      'invalid shape "[1,3]" - expected "auto" or dimensions in parentheses like "(1,3,224,224)"',
    ],
    [
      '()',
      'invalid shape "()" - expected "auto" or dimensions in parentheses like "(1,3,224,224)"',
    ],
    [
      '(1,(2))',
      'invalid shape "(1,(2))" - expected "auto" or dimensions in parentheses like "(1,3,224,224)"',
    ],
    [
      '(1,-2)',
      'invalid shape "(1,-2)" - dimension "-2" must be -1, a non-negative integer or a range min:max',
    ],
    [
      '(1,,2)',
      'invalid shape "(1,,2)" - dimension "" must be -1, a non-negative integer or a range min:max',
    ],
    [
      '(1.5)',
      'invalid shape "(1.5)" - dimension "1.5" must be -1, a non-negative integer or a range min:max',
    ],
    ['(8:1)', 'invalid shape "(8:1)" - range 8:1 must have max greater than min'],
    [
      '(99999999999999999999)',
      'invalid shape "(99999999999999999999)" - 99999999999999999999 is too large',
    ],
  ])('%j is refused', (text, message) => {
    expect(parseShapeText(text)).toEqual({ ok: false, message });
  });

  it('round-trips any shape it can print (property)', () => {
    const dim = fc.oneof(
      fc.constant(-1),
      fc.nat(100000),
      fc.tuple(fc.nat(1000), fc.integer({ min: 1, max: 1000 })).map(([min, span]) => ({
        min,
        max: min + span,
      })),
    );
    fc.assert(
      fc.property(fc.array(dim, { minLength: 1, maxLength: 8 }), (dims) => {
        expect(parseShapeText(`(${dims.map(dimText).join(', ')})`)).toEqual({
          ok: true,
          value: dims,
        });
      }),
    );
  });
});

describe('parseShapeSetting', () => {
  it('keys a bare shape by ANONYMOUS_INPUT_NAME, as OVMS', () => {
    expect(parseShapeSetting('(1,3)')).toEqual({
      ok: true,
      value: { [ANONYMOUS_INPUT_NAME]: [1, 3] },
    });
    expect(parseShapeSetting('auto')).toEqual({
      ok: true,
      value: { [ANONYMOUS_INPUT_NAME]: 'auto' },
    });
  });

  it('accepts per-input objects and their JSON text (the CLI form)', () => {
    const value = { in1: [1, 3], in2: 'auto' };
    expect(parseShapeSetting({ in1: '(1,3)', in2: 'auto' })).toEqual({ ok: true, value });
    expect(parseShapeSetting('{"in1": "(1,3)", "in2": "auto"}')).toEqual({ ok: true, value });
  });

  it.each([
    [{ in: [1, 3] }, 'shape of "in" must be a string; got [1,3]'],
    [
      { in: '(x)' },
      'shape of "in": invalid shape "(x)" - dimension "x" must be -1, a non-negative integer or a range min:max',
    ],
    ['{"in": ', expect.stringMatching(/^shape is not valid JSON: /) as unknown],
    ['{"in": "(1)"} x', expect.stringMatching(/^shape is not valid JSON: /) as unknown],
    [
      7,
      'expected a shape string like "(1,3,224,224)", "auto" or an object of per-input shapes; got 7',
    ],
  ])('%j is refused', (value, message) => {
    expect(parseShapeSetting(value)).toEqual({ ok: false, message });
  });
});

describe('parseLayoutText / parseLayoutSetting', () => {
  it('upper-cases and strips spaces, as OVMS', () => {
    expect(parseLayoutText(' nhwc : nchw ')).toEqual({ ok: true, value: 'NHWC:NCHW' });
    expect(parseLayoutText('N...')).toEqual({ ok: true, value: 'N...' });
    expect(parseLayoutText('N?C')).toEqual({ ok: true, value: 'N?C' });
  });

  it.each(['NHWC:', ':NCHW', 'NXYZ', 'N:C:H', ''])('%j is refused', (text) => {
    expect(parseLayoutText(text)).toEqual({
      ok: false,
      message: `invalid layout ${JSON.stringify(text)} - expected a layout like "NCHW" or "NHWC:NCHW" (letters N, C, H, W, D, ?, ...)`,
    });
  });

  it('keys a bare layout by ANONYMOUS_INPUT_NAME and accepts objects and JSON', () => {
    expect(parseLayoutSetting('NHWC:NCHW')).toEqual({
      ok: true,
      value: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' },
    });
    expect(parseLayoutSetting('{"in": "nhwc:nchw", "out": "CN:NC"}')).toEqual({
      ok: true,
      value: { in: 'NHWC:NCHW', out: 'CN:NC' },
    });
    expect(parseLayoutSetting({ in: 3 })).toEqual({
      ok: false,
      message: 'layout of "in" must be a string; got 3',
    });
    expect(parseLayoutSetting(['NCHW'])).toEqual({
      ok: false,
      message:
        'expected a layout string like "NHWC:NCHW" or an object of per-tensor layouts; got ["NCHW"]',
    });
  });
});
