import type { IncomingMessage } from 'node:http';
import { ServingError, StatusCode, toServingError, type MemoryLease } from '@ovms/core';

/** Where a request body comes from: Node's IncomingMessage when served, else a web stream. */
export interface BodySource {
  readonly incoming: IncomingMessage | undefined;
  readonly request: Request;
}

function tooLarge(maxBytes: number, actual: string): ServingError {
  return new ServingError(
    StatusCode.REST_BODY_TOO_LARGE,
    `the limit is ${maxBytes} bytes; received ${actual}`,
  );
}

/** One buffer from the chunks: the only chunk itself, else one allocation and one copy. */
function join(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const [first] = chunks;
  if (chunks.length === 1 && first !== undefined) return first;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** What a body may take: bytes in all, and the memory budget lease that must cover them. */
export interface BodyLimits {
  readonly maxBytes: number;
  /** Grown by the declared length up front, else chunk by chunk; absent: nothing counted. */
  readonly lease?: MemoryLease;
}

/**
 * Reads the whole request body as bytes, once, refusing more than `maxBytes` with
 * REST_BODY_TOO_LARGE (413), and a body the memory budget cannot hold with RESOURCE_EXHAUSTED
 * (503) — before reading anything when Content-Length already says so, else at the chunk that
 * passes the limit. The bytes are never turned into a string: the binary data extension hands
 * numeric inputs to the engine as views of this buffer.
 */
export async function readBody(source: BodySource, limits: BodyLimits): Promise<Uint8Array> {
  const { maxBytes, lease } = limits;
  const header = source.request.headers.get('content-length');
  const declared = header === null ? Number.NaN : Number(header);
  if (declared > maxBytes) {
    // Node discards the unread body itself, so the client still reads this answer.
    throw tooLarge(maxBytes, `Content-Length ${header}`);
  }
  // A declared length is all the budget needs; without one each chunk is counted as it comes.
  const chunkLease = Number.isSafeInteger(declared) ? undefined : lease;
  if (chunkLease === undefined) lease?.grow(declared);
  return source.incoming !== undefined
    ? readIncoming(source.incoming, maxBytes, chunkLease)
    : readStream(source.request.body, maxBytes, chunkLease);
}

/** Why a chunk cannot be kept: over the size limit or over the budget; undefined if it can. */
function refusal(
  size: number,
  chunk: number,
  maxBytes: number,
  lease?: MemoryLease,
): Error | undefined {
  if (size > maxBytes) return tooLarge(maxBytes, `more than ${maxBytes} bytes`);
  try {
    lease?.grow(chunk);
  } catch (error) {
    return toServingError(error);
  }
  return undefined;
}

function readIncoming(
  incoming: IncomingMessage,
  maxBytes: number,
  lease: MemoryLease | undefined,
): Promise<Uint8Array> {
  // A body someone already consumed cannot be read again; an empty one has ended already.
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      const refused = refusal(size, chunk.byteLength, maxBytes, lease);
      if (refused !== undefined) {
        cleanup();
        chunks.length = 0;
        // Keep draining (and dropping) the rest so the connection can carry the answer back.
        incoming.resume();
        reject(refused);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(join(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      if (incoming.readableEnded) resolve(join(chunks, size));
      else reject(new Error('the client closed the connection before sending the whole body'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

async function readStream(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  lease: MemoryLease | undefined,
): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return join(chunks, size);
    size += value.byteLength;
    const refused = refusal(size, value.byteLength, maxBytes, lease);
    if (refused !== undefined) {
      await reader.cancel();
      throw refused;
    }
    chunks.push(value);
  }
}
