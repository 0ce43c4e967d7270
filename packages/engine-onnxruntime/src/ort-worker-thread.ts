import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { ServingError, StatusCode } from '@ovms/core';
import type {
  ModelSource,
  RunResult,
  WireTensor,
  WorkerData,
  WorkerReply,
  WorkerRequest,
} from './worker-protocol.js';

// A plain .js file beside this module in src/ (vitest) and in dist/ (tsc emits it: allowJs).
const WORKER_URL = new URL('./ort-worker.js', import.meta.url);
const CLOSE_TIMEOUT_MS = 10_000;

/** Input and output metadata of the session a worker loaded. */
export interface SessionMetadata {
  readonly inputs: readonly InferenceSession.ValueMetadata[];
  readonly outputs: readonly InferenceSession.ValueMetadata[];
}

interface Settle<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

type Job = Settle<RunResult>;

/** How a thread gets its model. */
export interface ThreadOptions {
  readonly data: WorkerData;
  /** The model file, for messages. */
  readonly file: string;
  /** The path or the bytes to load; bytes are transferred to the thread, not copied. */
  readonly model: Promise<ModelSource>;
  readonly onCrash: (thread: OrtWorkerThread) => void;
}

/**
 * The main thread's handle on one `ort-worker.js` thread holding one InferenceSession: one
 * job at a time. The thread keeps the process alive only while it loads or runs. An exit
 * that `close()` did not ask for fails the running job and calls `onCrash`.
 */
export class OrtWorkerThread {
  /** Settles when the session is loaded; rejects with MODEL_FILE_INVALID naming the file. */
  readonly ready: Promise<SessionMetadata>;
  readonly #file: string;
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  readonly #onCrash: (thread: OrtWorkerThread) => void;
  #loaded = false;
  #closing = false;
  #exitCode: number | undefined;
  #lastError: Error | undefined;
  #job: Job | undefined;
  #reserved = false;
  readonly #settleReady: Settle<SessionMetadata>;

  constructor(options: ThreadOptions) {
    this.#file = options.file;
    this.#onCrash = options.onCrash;
    let settle: Settle<SessionMetadata> | undefined;
    this.ready = new Promise<SessionMetadata>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Observed here so a failed load nobody awaits (a replacement) is not an unhandled rejection.
    this.ready.catch(() => undefined);
    this.#settleReady = settle as Settle<SessionMetadata>;
    this.#worker = new Worker(WORKER_URL, { workerData: options.data });
    this.#worker.on('message', (reply: WorkerReply) => this.#onReply(reply));
    options.model
      .then((model) => {
        const transfer = typeof model === 'string' ? [] : [model.buffer as ArrayBuffer];
        if (!this.dead) this.#post({ kind: 'load', model }, transfer);
      })
      .catch((error: unknown) => {
        // No model to send (a rewrite failed, a buffer would not transfer): end the thread.
        this.#settleReady.reject(this.#loadError(messageOf(error)));
        void this.#worker.terminate();
      });
    this.#worker.on('error', (error: Error) => (this.#lastError = error));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#onExit(code);
        resolve();
      });
    });
  }

  /** Has a job, or was handed one that waits for the load. */
  get busy(): boolean {
    return this.#reserved;
  }

  /** The thread has ended (crashed, failed to load, or closed): it takes no more jobs. */
  get dead(): boolean {
    return this.#exitCode !== undefined || this.#closing;
  }

  /** Runs one inference; `transfer` lists input buffers handed to the thread. */
  async run(inputs: readonly WireTensor[], transfer: ArrayBuffer[]): Promise<RunResult> {
    if (this.#reserved) throw new Error('OrtWorkerThread runs one job at a time');
    this.#reserved = true;
    try {
      await this.ready.catch((error: unknown) => {
        throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, messageOf(error), {
          cause: error,
        });
      });
      if (this.dead) throw this.#stopped();
      const result = new Promise<RunResult>((resolve, reject) => {
        this.#job = { resolve, reject };
      });
      this.#worker.ref();
      this.#post({ kind: 'infer', inputs }, transfer);
      return await result;
    } finally {
      this.#job = undefined;
      this.#reserved = false;
      if (!this.dead) this.#worker.unref();
    }
  }

  /** Releases the session inside the thread, then waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#exitCode !== undefined) return;
    this.#closing = true;
    this.#worker.ref();
    this.#post({ kind: 'close' });
    const timer = setTimeout(() => void this.#worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Test hook: the thread exits with `code` as soon as it reads this, as a crash would. */
  exitForTest(code: number): void {
    this.#post({ kind: 'exit', code });
  }

  #post(request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(request, transfer);
  }

  #onReply(reply: WorkerReply): void {
    switch (reply.kind) {
      case 'ready':
        this.#loaded = true;
        if (!this.#reserved && !this.#closing) this.#worker.unref();
        this.#settleReady.resolve({ inputs: reply.inputs, outputs: reply.outputs });
        break;
      case 'load-failed':
        this.#settleReady.reject(this.#loadError(reply.message));
        break;
      case 'done':
        this.#job?.resolve(reply);
        break;
      case 'failed':
        this.#job?.reject(new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, reply.message));
        break;
    }
  }

  #onExit(code: number): void {
    this.#exitCode = code;
    const reason = this.#lastError === undefined ? '' : `: ${this.#lastError.message}`;
    this.#settleReady.reject(this.#loadError(`worker thread exited with code ${code}${reason}`));
    this.#job?.reject(this.#stopped());
    if (this.#loaded && !this.#closing) this.#onCrash(this);
  }

  #stopped(): ServingError {
    const reason = this.#lastError === undefined ? '' : `: ${this.#lastError.message}`;
    return new ServingError(
      StatusCode.INTERNAL_INFERENCE_ERROR,
      `onnxruntime worker thread for ${this.#file} stopped (exit code ${this.#exitCode ?? 'none'})${reason}`,
    );
  }

  #loadError(reason: string): ServingError {
    return new ServingError(StatusCode.MODEL_FILE_INVALID, `cannot load ${this.#file}: ${reason}`);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof ServingError) return error.detail ?? error.message;
  return error instanceof Error ? error.message : String(error);
}
