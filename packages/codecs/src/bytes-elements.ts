import { ServingError, StatusCode } from '@ovms/core';

/**
 * BYTES elements in their binary form, shared by KServe `raw_input_contents` /
 * `raw_output_contents` and the KServe REST binary data extension: each element is a 4-byte
 * little-endian length followed by that many bytes.
 */

/** Splits length-prefixed BYTES elements; each element is a view into `buffer` (no copy). */
export function decodeLengthPrefixedElements(
  buffer: Uint8Array,
  expectedCount: number,
  inputName: string,
): Uint8Array[] {
  const elements: Uint8Array[] = [];
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = 0;
  while (offset < buffer.byteLength) {
    if (offset + 4 > buffer.byteLength) {
      throw new ServingError(
        StatusCode.INVALID_CONTENT_SIZE,
        `BYTES input ${inputName}: truncated element length at byte ${offset}`,
      );
    }
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > buffer.byteLength) {
      throw new ServingError(
        StatusCode.INVALID_CONTENT_SIZE,
        `BYTES input ${inputName}: element ${elements.length} declares ${length} bytes; ${buffer.byteLength - offset} remain`,
      );
    }
    elements.push(buffer.subarray(offset, offset + length));
    offset += length;
    if (elements.length > expectedCount) break;
  }
  if (elements.length !== expectedCount) {
    throw new ServingError(
      StatusCode.INVALID_VALUE_COUNT,
      `BYTES input ${inputName}: expected ${expectedCount} elements; actual ${elements.length}${elements.length > expectedCount ? ' or more' : ''}`,
    );
  }
  return elements;
}

/** Byte length of the length-prefixed form of `elements`. */
export function lengthPrefixedSize(elements: readonly Uint8Array[]): number {
  let size = 0;
  for (const element of elements) size += 4 + element.byteLength;
  return size;
}

/** Writes `elements` length-prefixed into `target` at `offset`; returns the offset after them. */
export function writeLengthPrefixedElements(
  elements: readonly Uint8Array[],
  target: Uint8Array,
  offset = 0,
): number {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  let at = offset;
  for (const element of elements) {
    view.setUint32(at, element.byteLength, true);
    target.set(element, at + 4);
    at += 4 + element.byteLength;
  }
  return at;
}

export function encodeLengthPrefixedElements(elements: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(lengthPrefixedSize(elements));
  writeLengthPrefixedElements(elements, out);
  return out;
}
