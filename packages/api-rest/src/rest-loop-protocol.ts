import type {
  InputsError,
  LoopInferred,
  LoopLifecycleMessage,
  ServerTls,
  TensorSpec,
  WireTensor,
} from '@ovms/core';
import type { RestCorsOptions } from './cors.js';
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
      /** Why the loop could not read the body (too large, over the budget); `body` is empty. */
      readonly refused: InputsError | undefined;
    }
  /** An infer the loop decoded: only the model call runs in the main thread. */
  | {
      readonly kind: 'infer';
      readonly id: number;
      readonly api: LoopInferApi;
      /** The key of the input specs it was decoded with (TF Serving); the main thread checks it. */
      readonly specs: number | undefined;
      readonly name: string;
      readonly version: number | undefined;
      /** The decoded inputs (transferred), or why they could not be (answered after the lookup). */
      readonly inputs: readonly WireTensor[] | InputsError;
      /** The outputs asked for; absent = all. */
      readonly outputs: readonly string[] | undefined;
    }
  /** The input specs of a model version, which TF Serving decoding needs. */
  | {
      readonly kind: 'specs';
      readonly id: number;
      readonly name: string;
      readonly version: number | undefined;
    }
  /** The client went away before its answer was written (a forwarded request or an infer). */
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
  | { readonly kind: 'stop'; readonly graceMs: number }
  /** The outputs of an infer the loop decoded (transferred), for the loop to encode. */
  | LoopInferred
  /** The input specs asked for; absent when the lookup fails (the app then answers it). */
  | { readonly kind: 'specs'; readonly id: number; readonly specs: LoopSpecs | undefined }
  /** The model now has other input specs than the infer was decoded with: it goes whole. */
  | { readonly kind: 'stale'; readonly id: number }
  /** An infer the loop decoded failed: the main thread's `{"error": …}` answer, whole. */
  | {
      readonly kind: 'refused';
      readonly id: number;
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: Uint8Array;
    };

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
  /** The app's CORS and API key, for the infers the loop decodes; absent: it forwards all. */
  readonly inferInLoop: LoopInferAccess | undefined;
}

/** The APIs whose infers a loop decodes. */
export type LoopInferApi = 'KServe' | 'TensorFlowServing';

/** A model version's input specs and the key that tells them apart from later ones. */
export interface LoopSpecs {
  readonly key: number;
  readonly inputs: readonly TensorSpec[];
}

/** What the loop checks itself for the requests it decodes, as the app's middleware does. */
export interface LoopInferAccess {
  readonly cors: RestCorsOptions | undefined;
  readonly apiKey: string | undefined;
  /** The app's body limit, which its decoder is given too (the loop's read limit may differ). */
  readonly maxBodyBytes: number;
}

/** `bytes` in an ArrayBuffer of its own, so that transferring it moves nothing else. */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>;
  }
  return new Uint8Array(bytes);
}
