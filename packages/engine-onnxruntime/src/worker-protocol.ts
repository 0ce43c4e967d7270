import type { InferenceSession } from 'onnxruntime-node';

/**
 * Messages between the main thread and `ort-worker.js`, one worker per infer request. Types
 * only: the worker is plain JavaScript (so it runs from source and from dist alike) and reads
 * these through JSDoc.
 */

/** What a worker is started with; the model itself follows in a `load` message. */
export interface WorkerData {
  readonly sessionOptions: InferenceSession.SessionOptions;
}

/**
 * The model a worker loads: a file path, or the bytes of a ModelProto the engine rewrote
 * (`shape`, `batch_size`, `layout`), transferred to the thread.
 */
export type ModelSource = string | Uint8Array;

/**
 * A tensor crossing the thread boundary. Numeric `data` is a typed array of ORT's class for
 * `type` whose buffer travels in the transfer list; string tensors are string arrays.
 */
export interface WireTensor {
  readonly name: string;
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: ArrayBufferView | readonly string[];
}

/** A finished run: its outputs and when `session.run` started and ended (epoch ms). */
export interface RunResult {
  readonly outputs: readonly WireTensor[];
  readonly startedAt: number;
  readonly finishedAt: number;
}

export type WorkerRequest =
  /** The first message a worker reads: what to create its session from. */
  | { readonly kind: 'load'; readonly model: ModelSource }
  | { readonly kind: 'infer'; readonly inputs: readonly WireTensor[] }
  /** Release the session, then end the thread. */
  | { readonly kind: 'close' }
  /** Test hook: end the thread at once with `code`, as a crash would. */
  | { readonly kind: 'exit'; readonly code: number };

export type WorkerReply =
  | {
      readonly kind: 'ready';
      readonly inputs: readonly InferenceSession.ValueMetadata[];
      readonly outputs: readonly InferenceSession.ValueMetadata[];
    }
  | { readonly kind: 'load-failed'; readonly message: string }
  | ({ readonly kind: 'done' } & RunResult)
  | { readonly kind: 'failed'; readonly message: string };
