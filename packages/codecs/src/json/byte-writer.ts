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
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    const needed = this.pos + count;
    if (needed <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(needed, this.bytes.length * 2));
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
