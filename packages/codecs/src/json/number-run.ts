import { MAX_NUMBER_CHARS } from './number-token.js';
import type { JsonReader } from './reader.js';

/**
 * The hot path of JSON tensor decoding: runs of `, number` straight from the body bytes into a
 * typed array, with no token record, no string and no call per byte. Only the plain shapes of
 * RFC 8259 numbers are taken here (sign, digits, fraction, exponent; no NaN / Infinity); at
 * anything else a run stops before the comma, and the general reader reads that element and
 * reports any error exactly as it always has. Every token is bounded by MAX_NUMBER_CHARS, so
 * the run stays linear in the body however hostile.
 */

/**
 * Powers of ten as the nearest doubles: exact up to 10^22 (Clinger's fast path), one rounding
 * each beyond. Exponents outside ±MAX_FAST_EXPONENT go the general way: within it, even a
 * 64-digit mantissa scaled stays a normal double, so relative error bounds hold.
 */
const MAX_FAST_EXPONENT = 100;
const POW10 = Array.from({ length: MAX_FAST_EXPONENT + 1 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT_POW10 = 22;

/**
 * A mantissa folded from ≤ 64 digits (≤ 2 roundings per 9-digit chunk) and scaled by one
 * rounded power and one operation is within 2^-48 of the decimal's value; the band is wider,
 * so every double the decimal could round to lies inside it.
 */
const BAND = 2 ** -44;

/**
 * Most elements one call reads. Short runs keep every path of the loop warm: a run of a
 * whole 10 MB tensor would be compiled on-stack mid-loop and deoptimise at its first exit.
 */
const RUN_LENGTH = 8192;

/** Skips JSON whitespace from `pos`; returns the offset of the next byte. */
function skipSpace(bytes: Uint8Array, pos: number): number {
  let c = bytes[pos];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++pos];
  return pos;
}

/**
 * Reads `, number` pairs after the element just read into `array` from index `count`, while
 * there is room and each number is plain; returns the new count. The reader is left after the
 * last number read, where the general element loop resumes.
 *
 * One function on purpose: the parse inlined by hand runs ~20% faster than as a call, which
 * V8 does not inline at this size. Digits are gathered nine at a time in int32 arithmetic
 * (four at once where they are there), as a double multiply-add per digit would carry a
 * long dependency from one digit to the next.
 */
export function readFloatRun(
  reader: JsonReader,
  array: Float32Array | Float64Array,
  count: number,
): number {
  const bytes = reader.bytes;
  const length = bytes.length;
  const single = array instanceof Float32Array;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const capacity = Math.min(array.length, count + RUN_LENGTH);
  let end = reader.pos;
  while (count < capacity) {
    // Whitespace is rare in machine-written arrays: test for the comma first.
    let start = bytes[end] === 0x2c ? end : skipSpace(bytes, end);
    if (bytes[start] !== 0x2c) break;
    start += 1;
    if (bytes[start]! <= 0x20) start = skipSpace(bytes, start);
    const stop = start + MAX_NUMBER_CHARS < length ? start + MAX_NUMBER_CHARS : length;
    let pos = start;
    let c = bytes[pos]!;
    const negative = c === 0x2d;
    if (negative) c = pos + 1 < stop ? bytes[++pos]! : 0;
    // A leading zero followed by a digit is malformed; the general reader says so.
    if (
      c === 0x30 &&
      pos + 1 < stop &&
      bytes[pos + 1]! - 0x30 >= 0 &&
      bytes[pos + 1]! - 0x30 <= 9
    ) {
      break;
    }
    let mantissa = 0;
    let chunk = 0;
    let inChunk = 0;
    let exponent = 0;
    // Integer and fraction digits in one loop; `point` is where the '.' was.
    const first = pos;
    let point = -1;
    for (; pos < stop; pos++) {
      if (inChunk <= 5 && pos + 4 <= stop) {
        // Four digits at once (SWAR): all of them are digits when every byte's high nibble
        // is 3 both before and after adding 6.
        const word = view.getUint32(pos, true);
        if (((word & 0xf0f0f0f0) | (((word + 0x06060606) & 0xf0f0f0f0) >>> 4)) === 0x33333333) {
          let pairs = word & 0x0f0f0f0f;
          pairs = (Math.imul(pairs, 10) + (pairs >>> 8)) & 0x00ff00ff;
          chunk =
            (Math.imul(chunk, 10000) + ((Math.imul(pairs, 100) + (pairs >>> 16)) & 0xffff)) | 0;
          inChunk += 4;
          pos += 3;
          if (inChunk === 9) {
            mantissa = mantissa * 1e9 + chunk;
            chunk = 0;
            inChunk = 0;
          }
          continue;
        }
      }
      const digit = bytes[pos]! - 0x30;
      if (digit >= 0 && digit <= 9) {
        chunk = (chunk * 10 + digit) | 0;
        if (++inChunk === 9) {
          mantissa = mantissa * 1e9 + chunk;
          chunk = 0;
          inChunk = 0;
        }
      } else if (digit === 0x2e - 0x30 && point < 0 && pos > first) {
        point = pos;
      } else {
        break;
      }
    }
    if (pos === first || pos === point + 1) break;
    if (point >= 0) exponent = point + 1 - pos;
    mantissa = mantissa * POW10[inChunk]! + chunk;
    if (pos < stop && (bytes[pos] === 0x65 || bytes[pos] === 0x45)) {
      pos += 1;
      const sign = pos < stop ? bytes[pos] : 0;
      if (sign === 0x2d || sign === 0x2b) pos += 1;
      const digits = pos;
      let value = 0;
      for (; pos < stop; pos++) {
        const digit = bytes[pos]! - 0x30;
        if (digit < 0 || digit > 9) break;
        if (value < 1e6) value = value * 10 + digit;
      }
      if (pos === digits) break;
      exponent += sign === 0x2d ? -value : value;
    }
    // A token that reached the bound may go on: the general reader measures and refuses it.
    if (pos - start >= MAX_NUMBER_CHARS) break;
    if (exponent < -MAX_FAST_EXPONENT || exponent > MAX_FAST_EXPONENT) break;
    let value = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
    if (negative) value = -value;
    const exact =
      mantissa <= Number.MAX_SAFE_INTEGER &&
      exponent >= -MAX_EXACT_POW10 &&
      exponent <= MAX_EXACT_POW10;
    if (single) {
      // Clinger's conditions: the double is exactly rounded, so its float32 is the reader's
      // `Math.fround(Number(text))`. Past them the value is an approximation, but when both
      // ends of a band wider than its error round to one float32, so does the exact double,
      // whichever it is: Math.fround is monotonic.
      if (exact) {
        value = Math.fround(value);
      } else {
        const low = Math.fround(value * (1 - BAND));
        value = low === Math.fround(value * (1 + BAND)) ? low : NaN;
      }
    } else if (!exact) {
      value = NaN;
    }
    // What the fast path cannot settle (most 17-digit text for FP64, about one token in a
    // million for FP32) the runtime converts: still no rescan and no token record.
    if (value !== value) {
      const text = String.fromCharCode.apply(null, bytes.subarray(start, pos) as never);
      value = single ? Math.fround(Number(text)) : Number(text);
    }
    array[count++] = value;
    end = pos;
  }
  reader.pos = end;
  return count;
}
