import { isUtf8 } from 'node:buffer';
import { ServingError, StatusCode } from '@ovms/core';
import { ESCAPED_BYTE, unescapeToBytes, unescapeToString } from './string-escapes.js';

/** Limits that keep hostile bodies from exhausting the stack or memory. */
export interface JsonReaderOptions {
  /** Deepest nesting of arrays and objects accepted; default 64. */
  readonly maxDepth?: number;
  /** Largest body accepted, in UTF-8 bytes; default 1 GiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_JSON_DEPTH = 64;
export const DEFAULT_MAX_JSON_BYTES = 2 ** 30;
/**
 * Longest name-like string read as a JS string (object keys, tensor names, datatypes, ids,
 * signature names), in raw bytes. Generous for any real tensor or model name, and small
 * enough that a body of one long key builds nothing big: a longer string is refused as soon
 * as the reader passes this many bytes, without scanning the rest of it.
 */
export const MAX_JSON_NAME_BYTES = 4096;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Bytes that can begin a JSON value (with TF Serving's NaN and Infinity). */
function startsValue(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    c === QUOTE ||
    c === 0x5b ||
    c === 0x7b ||
    c === 0x2d ||
    c === 0x74 ||
    c === 0x66 ||
    c === 0x6e ||
    c === 0x4e ||
    c === 0x49
  );
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * A pull reader over UTF-8 JSON text. Codecs walk the structure they expect key by key, so
 * tensor data can go straight into typed arrays instead of through a tree of JS values, and a
 * value of the wrong kind is refused at its first byte. It accepts the NaN / Infinity /
 * -Infinity tokens TF Serving REST accepts and emits (api_rest.md, "JSON Mapping"). Every
 * failure is a ServingError naming the byte offset; no message quotes more than one byte of
 * the body, so building one costs nothing whatever the body holds.
 */
export class JsonReader {
  readonly bytes: Uint8Array;
  readonly maxDepth: number;
  /** Offset of the next unread byte. Codecs may save and restore it to look ahead. */
  pos = 0;
  /** Open arrays and objects at `pos`. */
  depth = 0;
  /**
   * Which load of the FP32 WebAssembly reader's window holds this reader's bytes (0: none); the
   * window is the current one while the module's count of loads still equals it.
   */
  wasmWindow = 0;
  /** Whether the string last scanned had escapes. */
  private escaped = false;

  constructor(source: string | Uint8Array, options: JsonReaderOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
    const length = typeof source === 'string' ? source.length : source.byteLength;
    if (length > maxBytes) {
      throw new ServingError(
        StatusCode.REST_BODY_TOO_LARGE,
        `body of ${length} bytes exceeds the limit of ${maxBytes}`,
      );
    }
    this.bytes = typeof source === 'string' ? utf8Encoder.encode(source) : source;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  }

  /** Throws a ServingError whose message ends with the byte offset. */
  fail(detail: string, code: StatusCode = StatusCode.REST_BODY_NOT_JSON, at = this.pos): never {
    throw new ServingError(code, `${detail} at byte ${at}`);
  }

  /** Skips whitespace; returns the next byte without consuming it, or -1 at the end. */
  peek(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let c = bytes[pos];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++pos];
    this.pos = pos;
    return c ?? -1;
  }

  /** What the next byte is, for error messages. */
  describeNext(): string {
    const c = this.peek();
    if (c === -1) return 'end of input';
    if (c === QUOTE) return 'string';
    if (c === 0x7b) return 'object';
    if (c === 0x5b) return 'array';
    if (c === 0x74 || c === 0x66) return 'boolean';
    if (c === 0x6e) return 'null';
    return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x4e || c === 0x49
      ? 'number'
      : `'${String.fromCharCode(c)}'`;
  }

  expect(c: number): void {
    const next = this.peek();
    if (next === c) {
      this.pos += 1;
      return;
    }
    this.unexpected(`'${String.fromCharCode(c)}'`);
  }

  unexpected(expected: string): never {
    const c = this.peek();
    if (c === -1) this.fail(`unexpected end of input; expected ${expected}`);
    this.fail(`unexpected '${String.fromCharCode(c)}'; expected ${expected}`);
  }

  /** Requires that nothing but whitespace follows. */
  finish(): void {
    if (this.peek() !== -1) this.fail('unexpected trailing characters after the JSON value');
  }

  private enter(open: number): void {
    this.expect(open);
    this.depth += 1;
    if (this.depth > this.maxDepth) {
      this.fail(`nesting deeper than ${this.maxDepth} levels`, undefined, this.pos - 1);
    }
  }

  beginObject(): void {
    this.enter(0x7b);
  }

  beginArray(): void {
    this.enter(0x5b);
  }

  /**
   * Enters the object a request body must be, deciding at its first byte: a body that begins
   * any other JSON value is REST_BODY_NOT_OBJECT (as OVMS answers for a valid non-object) at
   * once, without reading the value, and one that begins no JSON value is REST_BODY_NOT_JSON.
   */
  beginBodyObject(): void {
    const c = this.peek();
    if (c !== 0x7b) {
      if (c === -1 || !startsValue(c)) this.unexpected('a JSON value');
      throw new ServingError(StatusCode.REST_BODY_NOT_OBJECT);
    }
    this.beginObject();
  }

  /**
   * The next key of the object being read (consuming the ':'), or undefined once the object has
   * closed. `first` says whether any key has been read yet, so trailing commas are refused.
   */
  nextKey(first: boolean): string | undefined {
    let c = this.peek();
    if (c === 0x7d && first) {
      this.pos += 1;
      this.depth -= 1;
      return undefined;
    }
    if (!first) {
      if (c === 0x7d) {
        this.pos += 1;
        this.depth -= 1;
        return undefined;
      }
      if (c !== COMMA) this.unexpected("',' or '}'");
      this.pos += 1;
      c = this.peek();
    }
    if (c !== QUOTE) this.unexpected('an object key string');
    const key = this.readString(MAX_JSON_NAME_BYTES, 'object key');
    this.expect(COLON);
    return key;
  }

  /** Whether another element follows in the array being read; consumes ',' and ']'. */
  nextElement(first: boolean): boolean {
    const c = this.peek();
    if (c === 0x5d) {
      this.pos += 1;
      this.depth -= 1;
      return false;
    }
    if (first) return true;
    if (c !== COMMA) this.unexpected("',' or ']'");
    this.pos += 1;
    if (this.peek() === 0x5d) this.unexpected('an array element');
    return true;
  }

  /**
   * Reads a string value as its UTF-8 bytes, of any length (payloads are bounded by the body
   * limit only): a view of the body when it has no escapes, else a copy with them decoded.
   * No JS string is built either way.
   */
  readStringBytes(): Uint8Array {
    const start = this.pos + 1;
    const end = this.scanString(Infinity, 'string');
    return this.escaped ? unescapeToBytes(this, start, end) : this.bytes.subarray(start, end);
  }

  /**
   * Reads a string value as a JS string; one of more than `maxBytes` raw bytes (default
   * MAX_JSON_NAME_BYTES) is refused as `what` once that many bytes are passed.
   */
  readString(maxBytes = MAX_JSON_NAME_BYTES, what = 'string'): string {
    const start = this.pos + 1;
    const end = this.scanString(maxBytes, what);
    return this.escaped ? unescapeToString(this, start, end) : this.decodeUtf8(start, end);
  }

  /** Consumes a string, checking it as `readString` would, without building it. */
  skipString(): void {
    const start = this.pos + 1;
    const end = this.scanString(Infinity, 'string');
    if (this.escaped) {
      for (let pos = start; pos < end; pos++) {
        if (this.bytes[pos] !== BACKSLASH) continue;
        const escape = this.bytes[pos + 1] ?? -1;
        if (escape === 0x75) {
          this.readHex4(pos + 2);
          pos += 5;
        } else if (ESCAPED_BYTE[escape] === undefined) {
          this.fail('invalid escape sequence in string', undefined, pos);
        } else {
          pos += 1;
        }
      }
    }
    if (!isUtf8(this.bytes.subarray(start, end))) {
      this.fail('string is not valid UTF-8', undefined, start);
    }
  }

  /**
   * Consumes the string at the reader and returns the offset of its closing quote; `escaped`
   * says whether it had escapes (decoded, and checked, by the caller). More than `maxBytes`
   * raw bytes fail as `what` right there.
   */
  private scanString(maxBytes: number, what: string): number {
    if (this.peek() !== QUOTE) this.unexpected('a string');
    const bytes = this.bytes;
    const open = this.pos;
    const limit = open + 1 + maxBytes;
    let pos = open + 1;
    let escaped = false;
    for (;;) {
      const c = bytes[pos];
      if (c === QUOTE) break;
      if (c === undefined) this.fail('unterminated string', undefined, open);
      if (pos >= limit) {
        this.fail(`${what} longer than ${maxBytes} bytes`, StatusCode.INVALID_ARGUMENT, open);
      }
      if (c === BACKSLASH) {
        escaped = true;
        pos += 2;
        continue;
      }
      if (c < 0x20) this.fail('control character in string', undefined, pos);
      pos += 1;
    }
    this.escaped = escaped;
    this.pos = pos + 1;
    return pos;
  }

  /** The body's bytes `start`..`end` as a string; invalid UTF-8 fails. */
  decodeUtf8(start: number, end: number): string {
    try {
      return utf8Decoder.decode(this.bytes.subarray(start, end));
    } catch {
      return this.fail('string is not valid UTF-8', undefined, start);
    }
  }

  /** The code unit of the four hex digits at `at` (after a `\u`). */
  readHex4(at: number): number {
    let value = 0;
    for (let i = at; i < at + 4; i++) {
      const c = this.bytes[i] ?? -1;
      const digit =
        c >= 0x30 && c <= 0x39
          ? c - 0x30
          : c >= 0x61 && c <= 0x66
            ? c - 0x57
            : c >= 0x41 && c <= 0x46
              ? c - 0x37
              : -1;
      if (digit < 0) this.fail('invalid \\u escape in string', undefined, at - 2);
      value = value * 16 + digit;
    }
    return value;
  }

  /** Consumes `word` (true, false, null, NaN, Infinity) or fails. */
  readWord(word: string): void {
    const bytes = this.bytes;
    this.peek();
    const start = this.pos;
    for (let i = 0; i < word.length; i++) {
      if (bytes[start + i] !== word.charCodeAt(i)) this.fail(`invalid literal; expected ${word}`);
    }
    this.pos = start + word.length;
  }
}
