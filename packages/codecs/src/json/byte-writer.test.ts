import { describe, expect, it } from 'vitest';
import { JsonByteWriter } from './byte-writer.js';

const MB = 1 << 20;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A reusing writer of `size` bytes of capacity holding `fill` repeated `count` times. */
function written(fill: string, count: number, size = 2 * MB): JsonByteWriter {
  const writer = new JsonByteWriter(size, { reuse: true });
  for (let i = 0; i < count; i++) writer.ascii(fill);
  return writer;
}

describe('JsonByteWriter', () => {
  it('hands out a copy when reusing, so the next writer does not overwrite a result', () => {
    const first = written('a', 1000).result();
    const second = written('b', 3000).result();
    expect(text(first)).toBe('a'.repeat(1000));
    expect(text(second)).toBe('b'.repeat(3000));
    // The copy is exactly the text, not a view of a buffer the next writer takes.
    expect(first.buffer.byteLength).toBeLessThan(MB);
    const third = written('c', 10);
    expect(third.bytes.length).toBeGreaterThanOrEqual(2 * MB);
    expect(text(third.result())).toBe('c'.repeat(10));
    expect(text(first)).toBe('a'.repeat(1000));
  });

  it('gives every writer its own buffer while another holds the kept one', () => {
    const held = written('x', 5);
    const other = written('y', 5);
    expect(other.bytes.buffer).not.toBe(held.bytes.buffer);
    expect(text(other.result())).toBe('yyyyy');
    expect(text(held.result())).toBe('xxxxx');
    // A writer abandoned mid-way (an encoder that threw) keeps its buffer; others go on.
    written('z', 5);
    expect(text(written('w', 5).result())).toBe('wwwww');
  });

  it('grows past its capacity, reusing or not, keeping what was written', () => {
    for (const reuse of [true, false]) {
      const writer = new JsonByteWriter(MB, { reuse });
      const chunk = 'q'.repeat(4096);
      for (let i = 0; i < 600; i++) writer.ascii(chunk);
      expect(writer.result().length).toBe(600 * 4096);
      expect(text(writer.result().subarray(-4))).toBe('qqqq');
    }
  });
});
