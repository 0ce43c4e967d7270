/**
 * The worker bridge's framing (docs/genai.md): each message is a 4-byte big-endian byte count,
 * then that many bytes of UTF-8 JSON. Both sides refuse a frame over the limit, so a confused
 * peer cannot make the other buffer without bound.
 */

/** Default largest frame either side accepts: 16 MiB (a long prompt is far below it). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A frame the peer sent that breaks the protocol; the bridge treats the worker as failed. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function encodeFrame(message: unknown, maxBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > maxBytes)
    throw new FrameError(`message of ${body.length} bytes is over the limit of ${maxBytes}`);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Cuts a byte stream into JSON messages. `push` returns the whole messages the chunk completed
 * and throws FrameError for an oversized frame, bad UTF-8 JSON or a body that is not an object.
 */
export class FrameDecoder {
  readonly #maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(maxBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): Record<string, unknown>[] {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const messages: Record<string, unknown>[] = [];
    let buffer = this.#pending.length === 1 ? chunk : Buffer.concat(this.#pending);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const size = buffer.readUInt32BE(offset);
      if (size > this.#maxBytes)
        throw new FrameError(`frame of ${size} bytes is over the limit of ${this.#maxBytes}`);
      if (buffer.length - offset - 4 < size) break;
      messages.push(parseBody(buffer.subarray(offset + 4, offset + 4 + size)));
      offset += 4 + size;
    }
    buffer = buffer.subarray(offset);
    this.#pending = buffer.length === 0 ? [] : [buffer];
    this.#pendingBytes = buffer.length;
    return messages;
  }

  /** Bytes of an unfinished frame held now. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseBody(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new FrameError(`malformed message: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FrameError('malformed message: not a JSON object');
  return value as Record<string, unknown>;
}
