import type { JsonReader } from './reader.js';

/** The byte each single-character JSON escape stands for (RFC 8259 §7), by the escape letter. */
export const ESCAPED_BYTE: Readonly<Record<number, number>> = {
  0x22: 0x22,
  0x5c: 0x5c,
  0x2f: 0x2f,
  0x62: 0x08,
  0x66: 0x0c,
  0x6e: 0x0a,
  0x72: 0x0d,
  0x74: 0x09,
};

const BACKSLASH = 0x5c;
const REPLACEMENT = 0xfffd;

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Decodes the escaped string at `start`..`end` (between its quotes) to a JS string. Callers
 * bound `end - start`, so the concatenation stays small. Lone surrogates stay as they are,
 * as JSON.parse keeps them.
 */
export function unescapeToString(reader: JsonReader, start: number, end: number): string {
  const bytes = reader.bytes;
  let result = '';
  let chunkStart = start;
  let pos = start;
  while (pos < end) {
    if (bytes[pos] !== BACKSLASH) {
      pos += 1;
      continue;
    }
    result += reader.decodeUtf8(chunkStart, pos);
    const escape = bytes[pos + 1] ?? -1;
    if (escape === 0x75) {
      result += String.fromCharCode(reader.readHex4(pos + 2));
      pos += 6;
    } else {
      const replacement = ESCAPED_BYTE[escape];
      if (replacement === undefined) {
        reader.fail('invalid escape sequence in string', undefined, pos);
      }
      result += String.fromCharCode(replacement);
      pos += 2;
    }
    chunkStart = pos;
  }
  return result + reader.decodeUtf8(chunkStart, end);
}

/** Writes `codePoint` as UTF-8 at `out[at]`; returns the offset after it. */
function writeUtf8(out: Uint8Array, at: number, codePoint: number): number {
  if (codePoint < 0x80) {
    out[at] = codePoint;
    return at + 1;
  }
  if (codePoint < 0x800) {
    out[at] = 0xc0 | (codePoint >> 6);
    out[at + 1] = 0x80 | (codePoint & 0x3f);
    return at + 2;
  }
  if (codePoint < 0x10000) {
    out[at] = 0xe0 | (codePoint >> 12);
    out[at + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
    out[at + 2] = 0x80 | (codePoint & 0x3f);
    return at + 3;
  }
  out[at] = 0xf0 | (codePoint >> 18);
  out[at + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
  out[at + 3] = 0x80 | (codePoint & 0x3f);
  return at + 4;
}

/**
 * Decodes the escaped string at `start`..`end` straight to UTF-8 bytes, so a payload string
 * with escapes (a `\/` in base64, say) never becomes a JS string. Every escape is at least as
 * long as the UTF-8 it stands for, so the output fits in `end - start` bytes. A surrogate
 * pair becomes its 4-byte character; a lone surrogate becomes U+FFFD, as TextEncoder writes it.
 */
export function unescapeToBytes(reader: JsonReader, start: number, end: number): Uint8Array {
  const bytes = reader.bytes;
  const out = new Uint8Array(end - start);
  let length = 0;
  let chunkStart = start;
  let pos = start;
  while (pos < end) {
    if (bytes[pos] !== BACKSLASH) {
      pos += 1;
      continue;
    }
    out.set(bytes.subarray(chunkStart, pos), length);
    length += pos - chunkStart;
    const escape = bytes[pos + 1] ?? -1;
    if (escape === 0x75) {
      let codePoint = reader.readHex4(pos + 2);
      pos += 6;
      if (isHighSurrogate(codePoint) && bytes[pos] === BACKSLASH && bytes[pos + 1] === 0x75) {
        const low = reader.readHex4(pos + 2);
        if (isLowSurrogate(low)) {
          codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
          pos += 6;
        }
      }
      if (codePoint <= 0xffff && (isHighSurrogate(codePoint) || isLowSurrogate(codePoint))) {
        codePoint = REPLACEMENT;
      }
      length = writeUtf8(out, length, codePoint);
    } else {
      const replacement = ESCAPED_BYTE[escape];
      if (replacement === undefined) {
        reader.fail('invalid escape sequence in string', undefined, pos);
      }
      out[length++] = replacement;
      pos += 2;
    }
    chunkStart = pos;
  }
  out.set(bytes.subarray(chunkStart, end), length);
  return out.subarray(0, length + end - chunkStart);
}
