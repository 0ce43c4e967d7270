import type { LoopLifecycleMessage, ServerTls } from '@ovms/core';
import type { RestTimeouts } from './server.js';

/** Messages from a REST transport loop to the main thread. */
export type RestLoopMessage =
  | LoopLifecycleMessage
  | {
      readonly kind: 'request';
      readonly id: number;
      readonly method: string;
      /** Path and query as the client sent them. */
      readonly url: string;
      /** Name, value, name, value… (Node's rawHeaders). */
      readonly headers: readonly string[];
      /** The whole body, read within the size limit, in a buffer of its own (transferred). */
      readonly body: Uint8Array;
    }
  /** The client went away before its answer was written. */
  | { readonly kind: 'abort'; readonly id: number };

/** Messages from the main thread to a REST transport loop: a response, piece by piece. */
export type RestHostMessage =
  /** A response read whole (all but event streams): one message, one wake-up of the loop. */
  | {
      readonly kind: 'response';
      readonly id: number;
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: Uint8Array;
    }
  | {
      readonly kind: 'head';
      readonly id: number;
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
    }
  | { readonly kind: 'chunk'; readonly id: number; readonly data: Uint8Array }
  | { readonly kind: 'end'; readonly id: number }
  /** The response body failed after its head was sent: the connection is cut. */
  | { readonly kind: 'broken'; readonly id: number }
  | { readonly kind: 'stop'; readonly graceMs: number };

/** What a REST loop is started with (structured-cloned into the worker). */
export interface RestLoopWorkerData {
  readonly loop: number;
  readonly host: string;
  readonly port: number;
  readonly timeouts: Partial<RestTimeouts> | undefined;
  readonly tls: ServerTls | undefined;
  readonly maxBodyBytes: number;
  /** The shared memory budget's counter and cap (core createMemoryBudget's `shared`). */
  readonly budget: { readonly buffer: SharedArrayBuffer; readonly limitBytes: number };
}

/** `bytes` in an ArrayBuffer of its own, so that transferring it moves nothing else. */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>;
  }
  return new Uint8Array(bytes);
}
