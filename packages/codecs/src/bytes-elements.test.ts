import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServingError } from '@ovms/core';
import { decodeLengthPrefixedElements, encodeLengthPrefixedElements } from './bytes-elements.js';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

describe('length-prefixed BYTES elements', () => {
  it('round-trips any list of byte strings, decoding to views of the buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (elements) => {
        const encoded = encodeLengthPrefixedElements(elements);
        const decoded = decodeLengthPrefixedElements(encoded, elements.length, 'x');
        expect(decoded.map((e) => [...e])).toEqual(elements.map((e) => [...e]));
        for (const element of decoded) expect(element.buffer).toBe(encoded.buffer);
      }),
    );
  });

  it('encodes the documented layout: 4-byte little-endian length, then the bytes', () => {
    const encoded = encodeLengthPrefixedElements([new TextEncoder().encode('abc')]);
    expect([...encoded]).toEqual([3, 0, 0, 0, 97, 98, 99]);
  });

  it('refuses a truncated length prefix', () => {
    const error = thrown(() => decodeLengthPrefixedElements(new Uint8Array([1, 0]), 1, 'in'));
    expect(error.code).toBe('INVALID_CONTENT_SIZE');
    expect(error.message).toBe(
      'Invalid content size of tensor proto - BYTES input in: truncated element length at byte 0',
    );
  });

  it('refuses an element longer than what remains', () => {
    const error = thrown(() =>
      decodeLengthPrefixedElements(new Uint8Array([9, 0, 0, 0, 1, 2]), 1, 'in'),
    );
    expect(error.message).toBe(
      'Invalid content size of tensor proto - BYTES input in: element 0 declares 9 bytes; 2 remain',
    );
  });

  it('refuses an element count that does not match the shape', () => {
    const two = encodeLengthPrefixedElements([new Uint8Array(1), new Uint8Array(2)]);
    expect(thrown(() => decodeLengthPrefixedElements(two, 3, 'in')).message).toBe(
      'Invalid number of values in tensor proto container - BYTES input in: expected 3 elements; actual 2',
    );
    expect(thrown(() => decodeLengthPrefixedElements(two, 1, 'in')).message).toBe(
      'Invalid number of values in tensor proto container - BYTES input in: expected 1 elements; actual 2 or more',
    );
  });
});
