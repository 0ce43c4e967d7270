/**
 * A first guess at the JSON bytes per tensor element, for sizing a response writer: the
 * shortest text of a float32 in ±1 with its comma takes 11–13. A guess a little high costs
 * unused capacity; one too low, a copy of everything written so far.
 */
export const ESTIMATED_BYTES_PER_ELEMENT = 14;

/**
 * Memory for text about to be written: zero-filling tens of megabytes first would cost as much
 * as writing them. Only written bytes are ever handed out (`result` is a view up to `pos`).
 */
function uninitialized(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}

/**
 * Buffers of at least this many bytes are kept from one writer to the next (`reuse`): the
 * memory of a fresh tens-of-megabytes buffer is mapped page by page as it is first written,
 * and on a shared machine those faults cost a third as much as formatting the numbers.
 */
const REUSE_MIN_BYTES = 1 << 20;
/** A buffer above this is not kept, so one huge response does not pin its size for good. */
const REUSE_MAX_BYTES = 1 << 26;
/** The kept buffer, out of this slot while a writer writes into it. */
let spare: Uint8Array | undefined;

export interface JsonByteWriterOptions {
  /**
   * Write into the kept buffer when it is large enough, and copy the text out once at
   * `result()`: for text bodies, not for bodies whose bulk is binary data already exact.
   */
  readonly reuse?: boolean;
}

/**
 * A growing buffer of JSON text as UTF-8 bytes. Tensor elements are formatted straight into
 * it, so a response of millions of numbers builds no string per element and no string of the
 * whole body: the bytes are what the HTTP layer sends.
 */
export class JsonByteWriter {
  bytes: Uint8Array;
  /** Offset of the next byte to write. */
  pos = 0;

  /** Whether `bytes` is to go back to the spare slot at `result()`. */
  private reusing = false;

  constructor(capacity = 1024, options: JsonByteWriterOptions = {}) {
    const size = Math.max(16, capacity);
    if (options.reuse === true && size >= REUSE_MIN_BYTES && size <= REUSE_MAX_BYTES) {
      this.reusing = true;
      if (spare !== undefined && spare.length >= size) {
        this.bytes = spare;
        spare = undefined;
        return;
      }
    }
    this.bytes = uninitialized(size);
  }

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    const needed = this.pos + count;
    if (needed <= this.bytes.length) return;
    const next = uninitialized(Math.max(needed, this.bytes.length * 2));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
  }

  byte(c: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = c;
  }

  /** Writes text known to be ASCII (JSON punctuation, numbers, tokens). */
  ascii(text: string): void {
    this.reserve(text.length);
    const bytes = this.bytes;
    let pos = this.pos;
    for (let i = 0; i < text.length; i++) bytes[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Writes any text as UTF-8 (names, BYTES elements as JSON strings). */
  text(text: string): void {
    // At most 3 bytes per UTF-16 code unit.
    this.reserve(text.length * 3);
    this.pos += Buffer.from(this.bytes.buffer, this.bytes.byteOffset).write(text, this.pos);
  }

  /** Writes `value` as a JSON string literal. */
  string(value: string): void {
    this.text(JSON.stringify(value));
  }

  /** The text written, as a view of the buffer (of its own copy when reusing). */
  result(): Uint8Array {
    if (this.reusing) {
      this.reusing = false;
      const kept = this.bytes;
      this.bytes = uninitialized(Math.max(16, this.pos));
      this.bytes.set(kept.subarray(0, this.pos));
      if (kept.length <= REUSE_MAX_BYTES && (spare === undefined || spare.length < kept.length)) {
        spare = kept;
      }
    }
    return this.bytes.subarray(0, this.pos);
  }
}
