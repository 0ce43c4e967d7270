/**
 * FP16 and BF16 element conversions. JSON carries these types as plain numbers (TF Serving
 * DT_HALF / DT_BFLOAT16), while tensors hold their 16-bit patterns, so both REST codecs convert
 * at the edge. Rounding is round-half-to-even straight from the double, as IEEE 754 requires;
 * going through float32 first could round twice.
 */

interface SmallFloatFormat {
  readonly mantissaBits: number;
  readonly exponentBits: number;
}

const HALF: SmallFloatFormat = { mantissaBits: 10, exponentBits: 5 };
const BFLOAT: SmallFloatFormat = { mantissaBits: 7, exponentBits: 8 };

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function encode(value: number, format: SmallFloatFormat): number {
  const { mantissaBits, exponentBits } = format;
  const bias = 2 ** (exponentBits - 1) - 1;
  const maxExponent = 2 ** exponentBits - 1;
  const signBit = 2 ** (mantissaBits + exponentBits);
  if (Number.isNaN(value)) return maxExponent * 2 ** mantissaBits + 2 ** (mantissaBits - 1);
  const sign = value < 0 || Object.is(value, -0) ? signBit : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign + maxExponent * 2 ** mantissaBits;
  const minNormalExponent = 1 - bias;
  if (magnitude < 2 ** minNormalExponent) {
    // Subnormal: a count of the smallest step; a count of 2^mantissaBits is the smallest
    // normal number, whose bit pattern is that same count.
    return sign + roundHalfEven(magnitude * 2 ** (mantissaBits - minNormalExponent));
  }
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent -= 1;
  else if (2 ** (exponent + 1) <= magnitude) exponent += 1;
  let mantissa = roundHalfEven((magnitude / 2 ** exponent - 1) * 2 ** mantissaBits);
  if (mantissa === 2 ** mantissaBits) {
    mantissa = 0;
    exponent += 1;
  }
  if (exponent + bias >= maxExponent) return sign + maxExponent * 2 ** mantissaBits;
  return sign + (exponent + bias) * 2 ** mantissaBits + mantissa;
}

function decode(bits: number, format: SmallFloatFormat): number {
  const { mantissaBits, exponentBits } = format;
  const bias = 2 ** (exponentBits - 1) - 1;
  const maxExponent = 2 ** exponentBits - 1;
  const sign = bits >>> (mantissaBits + exponentBits) ? -1 : 1;
  const exponent = (bits >>> mantissaBits) & maxExponent;
  const mantissa = bits & (2 ** mantissaBits - 1);
  if (exponent === 0) return sign * mantissa * 2 ** (1 - bias - mantissaBits);
  if (exponent === maxExponent) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 2 ** mantissaBits) * 2 ** (exponent - bias);
}

/** The FP16 bit pattern nearest to `value`. */
export function numberToHalfBits(value: number): number {
  return encode(value, HALF);
}

export function halfBitsToNumber(bits: number): number {
  return decode(bits, HALF);
}

/** The BF16 bit pattern nearest to `value`. */
export function numberToBfloat16Bits(value: number): number {
  return encode(value, BFLOAT);
}

export function bfloat16BitsToNumber(bits: number): number {
  return decode(bits, BFLOAT);
}
