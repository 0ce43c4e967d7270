import { ServingError, StatusCode } from '@ovms/core';

/** Limits that keep hostile bodies from exhausting the stack or memory. */
export interface JsonReaderOptions {
  /** Deepest nesting of arrays and objects accepted; default 64. */
  readonly maxDepth?: number;
  /** Largest body accepted, in UTF-8 bytes; default 1 GiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_JSON_DEPTH = 64;
export const DEFAULT_MAX_JSON_BYTES = 2 ** 30;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

const ESCAPES: Readonly<Record<number, string>> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

/**
 * A pull reader over UTF-8 JSON text. Codecs walk the structure they expect key by key, so
 * tensor data can go straight into typed arrays instead of through a tree of JS values. It
 * accepts the NaN / Infinity / -Infinity tokens TF Serving REST accepts and emits (api_rest.md,
 * "JSON Mapping"). Every failure is a ServingError naming the byte offset.
 */
export class JsonReader {
  readonly bytes: Uint8Array;
  readonly maxDepth: number;
  /** Offset of the next unread byte. Codecs may save and restore it to look ahead. */
  pos = 0;
  /** Open arrays and objects at `pos`. */
  depth = 0;

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
    const key = this.readString();
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

  /** Reads a string value as its UTF-8 bytes: a view of the body when it has no escapes. */
  readStringBytes(): Uint8Array {
    const start = this.pos + 1;
    const end = this.scanString();
    if (end >= 0) return this.bytes.subarray(start, end);
    return utf8Encoder.encode(this.readString());
  }

  readString(): string {
    const start = this.pos + 1;
    const end = this.scanString();
    if (end >= 0) return this.decodeUtf8(start, end);
    return this.readEscapedString(start);
  }

  /**
   * Consumes a string without escapes and returns its end offset, or leaves `pos` at the
   * opening quote and returns -1 when it has escapes.
   */
  private scanString(): number {
    if (this.peek() !== QUOTE) this.unexpected('a string');
    const bytes = this.bytes;
    let pos = this.pos + 1;
    for (;;) {
      const c = bytes[pos];
      if (c === undefined) this.fail('unterminated string', undefined, this.pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) return -1;
      if (c < 0x20) this.fail('control character in string', undefined, pos);
      pos += 1;
    }
    this.pos = pos + 1;
    return pos;
  }

  private decodeUtf8(start: number, end: number): string {
    try {
      return utf8Decoder.decode(this.bytes.subarray(start, end));
    } catch {
      return this.fail('string is not valid UTF-8', undefined, start);
    }
  }

  private readEscapedString(start: number): string {
    const bytes = this.bytes;
    let result = '';
    let chunkStart = start;
    let pos = start;
    for (;;) {
      const c = bytes[pos];
      if (c === undefined) this.fail('unterminated string', undefined, start - 1);
      if (c === QUOTE) break;
      if (c < 0x20) this.fail('control character in string', undefined, pos);
      if (c !== BACKSLASH) {
        pos += 1;
        continue;
      }
      result += this.decodeUtf8(chunkStart, pos);
      const escape = bytes[pos + 1];
      if (escape === 0x75) {
        result += String.fromCharCode(this.readHex4(pos + 2));
        pos += 6;
      } else {
        const replacement = escape === undefined ? undefined : ESCAPES[escape];
        if (replacement === undefined)
          this.fail('invalid escape sequence in string', undefined, pos);
        result += replacement;
        pos += 2;
      }
      chunkStart = pos;
    }
    result += this.decodeUtf8(chunkStart, pos);
    this.pos = pos + 1;
    return result;
  }

  private readHex4(at: number): number {
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
