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
 * A growing buffer of JSON text as UTF-8 bytes. Tensor elements are formatted straight into
 * it, so a response of millions of numbers builds no string per element and no string of the
 * whole body: the bytes are what the HTTP layer sends.
 */
export class JsonByteWriter {
  bytes: Uint8Array;
  /** Offset of the next byte to write. */
  pos = 0;

  constructor(capacity = 1024) {
    this.bytes = uninitialized(Math.max(16, capacity));
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

  /** The text written, as a view of the buffer. */
  result(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }
}
