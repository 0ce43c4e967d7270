import { StatusCode } from '@ovms/core';
import type { JsonReader } from './reader.js';

/**
 * The number token last scanned by `scanNumber`. One shared record, so reading a tensor of a
 * million numbers allocates nothing per element.
 */
export interface NumberToken {
  negative: boolean;
  /** Decimal digits as an integer; exact while it is at most Number.MAX_SAFE_INTEGER. */
  mantissa: number;
  /** Power of ten to scale the mantissa by. */
  exponent: number;
  /** No fraction and no exponent part: an integer token as JSON writes it. */
  integer: boolean;
  /** NaN, Infinity or -Infinity (non-standard JSON, as TF Serving REST). */
  special: boolean;
  start: number;
  end: number;
}

export const token: NumberToken = {
  negative: false,
  mantissa: 0,
  exponent: 0,
  integer: true,
  special: false,
  start: 0,
  end: 0,
};

/** Exact powers of ten: a double holds 10^k exactly for k ≤ 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Longest number token accepted, in characters. The shortest text that round-trips any double
 * is at most 24 characters (`-2.2250738585072014e-308`), any 64-bit integer at most 20, and
 * printf's `%.17g` stays within 24; 64 leaves room for over-precise writers (`%.40f` of a small
 * value) while a token of digits the size of the body is refused after 64 bytes, before any
 * string of it is built.
 */
export const MAX_NUMBER_CHARS = 64;

function tooLong(reader: JsonReader, start: number): never {
  return reader.fail(
    `number longer than ${MAX_NUMBER_CHARS} characters`,
    StatusCode.INVALID_ARGUMENT,
    start,
  );
}

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Whether the next byte (after whitespace) can start a number token. */
export function startsNumber(c: number): boolean {
  return isDigit(c) || c === 0x2d || c === 0x4e || c === 0x49;
}

/**
 * Scans one number token (RFC 8259 grammar, plus NaN / Infinity / -Infinity) into `token`.
 * Digit loops run to `stop`, the token's length bound, instead of testing for the end of the
 * body: the same number of comparisons per digit as an unbounded scan, so the bound is free.
 */
export function scanNumber(reader: JsonReader): void {
  reader.peek();
  const bytes = reader.bytes;
  const start = reader.pos;
  const stop = Math.min(start + MAX_NUMBER_CHARS, bytes.length);
  let pos = start;
  let c = bytes[pos];
  const negative = c === 0x2d;
  if (negative) c = bytes[++pos];
  token.negative = negative;
  token.start = start;
  if (c === 0x4e || c === 0x49) {
    reader.pos = pos;
    if (c === 0x4e && negative) reader.fail('invalid number');
    reader.readWord(c === 0x4e ? 'NaN' : 'Infinity');
    token.special = true;
    token.mantissa = c === 0x4e ? NaN : Infinity;
    token.exponent = 0;
    token.integer = false;
    token.end = reader.pos;
    return;
  }
  token.special = false;
  if (!isDigit(c)) reader.fail('invalid number', undefined, pos);
  let mantissa = 0;
  if (c === 0x30) {
    c = bytes[++pos];
    if (isDigit(c)) reader.fail('invalid number: leading zero', undefined, pos);
  } else {
    for (; pos < stop; pos++) {
      const digit = bytes[pos]! - 0x30;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
    }
    c = bytes[pos];
  }
  let exponent = 0;
  let integer = true;
  if (c === 0x2e) {
    integer = false;
    const first = ++pos;
    for (; pos < stop; pos++) {
      const digit = bytes[pos]! - 0x30;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
    }
    if (pos === first) {
      if (isDigit(bytes[pos])) tooLong(reader, start);
      reader.fail('invalid number: no digits after the decimal point', undefined, pos);
    }
    exponent = first - pos;
    c = bytes[pos];
  }
  if (c === 0x65 || c === 0x45) {
    integer = false;
    c = bytes[++pos];
    const negativeExponent = c === 0x2d;
    if (c === 0x2d || c === 0x2b) c = bytes[++pos];
    if (!isDigit(c)) reader.fail('invalid number: no digits in the exponent', undefined, pos);
    let value = 0;
    for (; pos < stop; pos++) {
      const digit = bytes[pos]! - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    exponent += negativeExponent ? -value : value;
    c = bytes[pos];
  }
  // A loop stopped by the bound with a digit still to come: the token is too long.
  if (pos >= start + MAX_NUMBER_CHARS && isDigit(c)) tooLong(reader, start);
  token.mantissa = mantissa;
  token.exponent = exponent;
  token.integer = integer;
  token.end = pos;
  reader.pos = pos;
}

/** The scanned token's source text: at most MAX_NUMBER_CHARS characters. */
export function tokenText(reader: JsonReader): string {
  let text = '';
  for (let i = token.start; i < token.end; i++) text += String.fromCharCode(reader.bytes[i] ?? 0);
  return text;
}

/** The scanned token as the nearest double. */
export function tokenToNumber(reader: JsonReader): number {
  let value: number;
  const { mantissa, exponent } = token;
  if (token.special || mantissa === 0) {
    value = mantissa;
  } else if (mantissa <= Number.MAX_SAFE_INTEGER && exponent >= -22 && exponent <= 22) {
    // Clinger's fast path: both operands exact, so one IEEE operation rounds correctly.
    value = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
  } else {
    return Number(tokenText(reader));
  }
  return token.negative ? -value : value;
}

/**
 * The scanned integer token exactly: a number when safe, else a bigint. Tokens too long for
 * any 64-bit integer give ±Infinity, so range checks refuse them without a costly BigInt.
 */
export function tokenToInteger(reader: JsonReader): number | bigint {
  if (token.mantissa <= Number.MAX_SAFE_INTEGER) {
    return token.negative ? -token.mantissa : token.mantissa;
  }
  if (token.end - token.start > 24) return token.negative ? -Infinity : Infinity;
  return BigInt(tokenText(reader));
}
