/**
 * Float32 as the fewest significant digits (at most 9) that read back to it, formatted into a
 * byte buffer with integer arithmetic: the decimal digits of `|v| × 10^s` for an exact power
 * of ten, trimmed one digit at a time while `Math.fround(D / 10^s)` — exactly what a reader
 * computes for the text, Number(text) then a float32 cast — is still `v`. Text as
 * Number.prototype.toString lays it out (exponent form below 1e-6), so values read the same
 * everywhere. Values this path does not cover (integers ≥ 2^31, magnitudes below 1e-14,
 * NaN / ±Infinity) take the string route, a few in a million outputs of a real model.
 */

/** 10^k, exact for k ≤ 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** 10^k as int32, for digit counts. */
const INT_POW10 = Int32Array.from({ length: 10 }, (_, k) => 10 ** k);
/** 10^-k as the nearest double; only the exponent estimate uses it, the rounding checks it. */
const NEG_POW10 = Array.from({ length: 23 }, (_, k) => 1 / 10 ** k);

/**
 * `x` rounded half up, for 0 ≤ x < 2^31: adding 0.5 is exact there (the ulp is at most
 * 2^-22), and the result is an int32 the digit loops divide with integer arithmetic.
 */
function roundSmall(x: number): number {
  return (x + 0.5) | 0;
}

/** Bytes a float32 can take, with room to spare: `-1.17549435e-38` is 15. */
export const MAX_FLOAT32_CHARS = 24;

/** The shortest text for a float32 the fast path does not cover (writer.ts's formatFloat32). */
type SlowFormat = (value: number) => string;

/**
 * Writes `values[from..to)` as float32 text separated by commas, with a comma before
 * `values[from]` too unless `from` is `first` (the start of its array), at `pos`, which must
 * have (MAX_FLOAT32_CHARS + 1) bytes of room per value; returns the offset after them. One
 * loop over a whole run with the formatting inlined, as V8 would not inline it per value.
 */
export function writeFloat32s(
  bytes: Uint8Array,
  pos: number,
  values: Float32Array,
  from: number,
  to: number,
  first: number,
  slow: SlowFormat,
): number {
  for (let i = from; i < to; i++) {
    if (i > first) bytes[pos++] = 0x2c;
    const value = values[i]!;
    let a = value;
    if (value < 0 || (value === 0 && 1 / value < 0)) {
      bytes[pos++] = 0x2d;
      a = -value;
    }
    if (a < 2147483648 && a === Math.floor(a)) {
      pos = writeUint31(bytes, pos, a);
      continue;
    }
    // Non-integers are below 2^23, so e10 ≤ 6; below 1e-14 the scale would pass 10^22.
    if (!(a >= 1e-14 && a < 1e7)) {
      pos = writeAscii(bytes, value < 0 ? pos - 1 : pos, slow(value));
      continue;
    }
    // The decimal exponent, as a first guess: the rounding below corrects it when one off.
    let e10 = a >= 1 ? 0 : -1;
    while (e10 < 6 && a >= POW10[e10 + 1]!) e10 += 1;
    if (e10 < 0) while (e10 > -14 && a < NEG_POW10[-e10]!) e10 -= 1;
    // Nine digits: D in [1e8, 1e9), adjusting when the estimate or the rounding was one off.
    let s = 8 - e10;
    let digits = roundSmall(a * POW10[s]!);
    if (digits >= 1e9) {
      s -= 1;
      e10 += 1;
      digits = roundSmall(a * POW10[s]!);
    } else if (digits < 1e8 && s < 22) {
      s += 1;
      e10 -= 1;
      digits = roundSmall(a * POW10[s]!);
    }
    // Fewer digits while they still read back; a candidate with s < 0 would be an integer.
    let count = 9;
    while (s > 0) {
      const shorter = roundSmall(a * POW10[s - 1]!);
      if (Math.fround(shorter / POW10[s - 1]!) !== a) break;
      digits = shorter;
      s -= 1;
      count -= 1;
    }
    // A rounding that carried ("9.99…" → "10") has one digit more, and trailing zeros: drop
    // them (int32 arithmetic; `%` on a double is a library call), then place the point.
    if (digits >= INT_POW10[count]!) count += 1;
    for (let q = (digits / 10) | 0; q * 10 === digits; q = (digits / 10) | 0) {
      digits = q;
      s -= 1;
      count -= 1;
    }
    e10 = count - 1 - s;
    if (e10 < -6) {
      // d[.ddd]e-N: the digits with the point after the first, then the exponent.
      pos = writeDigits(bytes, pos, digits, count, count > 1 ? 1 : -1);
      bytes[pos++] = 0x65;
      bytes[pos++] = 0x2d;
      const exponent = -e10;
      if (exponent >= 10) bytes[pos++] = 0x30 + ((exponent / 10) | 0);
      bytes[pos++] = 0x30 + (exponent % 10);
      continue;
    }
    if (e10 < 0) {
      // 0.000ddd
      bytes[pos++] = 0x30;
      bytes[pos++] = 0x2e;
      for (let zero = -1; zero > e10; zero--) bytes[pos++] = 0x30;
      pos = writeDigits(bytes, pos, digits, count, -1);
      continue;
    }
    pos = writeDigits(bytes, pos, digits, count, e10 + 1);
  }
  return pos;
}

/** ASCII of the tens and units digit of 0..99, so digits are made two per division. */
const TENS = Uint8Array.from({ length: 100 }, (_, i) => 0x30 + Math.floor(i / 10));
const UNITS = Uint8Array.from({ length: 100 }, (_, i) => 0x30 + (i % 10));

/**
 * `count` digits of `digits` (an int32 of exactly that many digits) at `pos`, with '.' after
 * the first `point` of them (-1: none); returns the offset after them.
 */
function writeDigits(
  bytes: Uint8Array,
  pos: number,
  digits: number,
  count: number,
  point: number,
): number {
  if (point <= 0) {
    writeInt(bytes, pos + count, digits, count);
    return pos + count;
  }
  // The digits after the point, then the ones before it.
  const fraction = count - point;
  const scale = INT_POW10[fraction]!;
  const head = (digits / scale) | 0;
  writeInt(bytes, pos + point, head, point);
  bytes[pos + point] = 0x2e;
  writeInt(bytes, pos + count + 1, digits - head * scale, fraction);
  return pos + count + 1;
}

/** Writes the `count` low digits of int32 `n` ending just before `end`, zero-padded. */
function writeInt(bytes: Uint8Array, end: number, n: number, count: number): void {
  let left = count;
  while (left >= 2) {
    const q = (n / 100) | 0;
    const r = n - q * 100;
    bytes[--end] = UNITS[r]!;
    bytes[--end] = TENS[r]!;
    n = q;
    left -= 2;
  }
  if (left === 1) bytes[--end] = 0x30 + n;
}

/** A non-negative integer below 2^31 in decimal at `pos`; returns the offset after it. */
export function writeUint31(bytes: Uint8Array, pos: number, value: number): number {
  const n = value | 0;
  let count = 1;
  while (count < 10 && n >= INT_POW10[count]!) count += 1;
  writeInt(bytes, pos + count, n, count);
  return pos + count;
}

/** ASCII `text` at `pos`; returns the offset after it. */
export function writeAscii(bytes: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) bytes[pos++] = text.charCodeAt(i);
  return pos;
}
