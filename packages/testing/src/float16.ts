/**
 * IEEE 754 half-precision conversions for FP16 fixtures and their reference values. Node 20
 * has no Float16Array, so FP16 tensors travel as their 16-bit patterns (core `typedView`).
 */

const scratch = new DataView(new ArrayBuffer(4));

/**
 * The 16-bit pattern of `value` rounded to the nearest half (ties to even). Goes through
 * float32 first, so values not exact in float32 may round twice; fixture values are exact.
 */
export function toFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const f32 = scratch.getUint32(0);
  const sign = (f32 >>> 16) & 0x8000;
  const exponent = (f32 >>> 23) & 0xff;
  let mantissa = f32 & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const rounded = roundShift(mantissa, shift);
    return sign | rounded;
  }
  const rounded = roundShift(mantissa, 13);
  // A carry out of the mantissa bumps the exponent, which is exactly the right answer.
  return (sign | (halfExponent << 10)) + rounded;
}

function roundShift(value: number, shift: number): number {
  const truncated = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (remainder > half || (remainder === half && (truncated & 1) === 1)) return truncated + 1;
  return truncated;
}

/** The number a 16-bit half pattern stands for. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
