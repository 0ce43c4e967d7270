/** Byte helpers for building and reading binary-extension bodies by hand. */

export function floatBytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function floatsOf(bytes: Uint8Array): number[] {
  const copy = bytes.slice();
  return [...new Float32Array(copy.buffer, 0, copy.byteLength / 4)];
}

/** A binary-extension body: the JSON header followed by each binary part, in order. */
export function binaryBody(header: object, ...parts: Uint8Array[]): [Uint8Array, number] {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const total = parts.reduce((sum, part) => sum + part.byteLength, json.byteLength);
  const body = new Uint8Array(total);
  body.set(json);
  let offset = json.byteLength;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return [body, json.byteLength];
}
