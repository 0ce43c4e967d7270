import type { InferenceSession } from 'onnxruntime-node';
import { ServingError, StatusCode } from '@ovms/core';
import { OrtWorkerThread, type SessionMetadata } from './ort-worker-thread.js';
import type { ModelSource, RunResult, WireTensor, WorkerData } from './worker-protocol.js';

export interface OrtWorkerPoolOptions {
  /** The model file, for messages; also what the threads load when `bytes` is absent. */
  readonly file: string;
  /**
   * Produces the ModelProto to load instead of the file (the engine's rewrite of it). Called
   * once at start, and again for each replacement of a crashed thread, so the pool holds no
   * copy of the model between loads.
   */
  readonly bytes?: () => Promise<Uint8Array>;
  readonly sessionOptions: InferenceSession.SessionOptions;
  /** Worker threads, one InferenceSession each: the model's `nireq`. */
  readonly size: number;
}

/**
 * A model's infer requests: `size` worker threads, each with its own InferenceSession from
 * the same model and options. The caller (the model's RequestQueue) runs at most `size` jobs
 * at once, so a free thread always exists. A thread that crashes fails its job and is
 * replaced at once; one whose replacement fails to load is retried by the next job.
 */
export class OrtWorkerPool {
  readonly #data: WorkerData;
  readonly #file: string;
  readonly #bytes: (() => Promise<Uint8Array>) | undefined;
  readonly #threads: OrtWorkerThread[] = [];
  #metadata: SessionMetadata | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: OrtWorkerPoolOptions, models: readonly Promise<ModelSource>[]) {
    this.#data = { sessionOptions: options.sessionOptions };
    this.#file = options.file;
    this.#bytes = options.bytes;
    for (const model of models) this.#threads.push(this.#spawn(model));
  }

  /** Starts every thread in parallel; the first load error (MODEL_FILE_INVALID) fails the pool. */
  static async start(options: OrtWorkerPoolOptions): Promise<OrtWorkerPool> {
    const models = await initialModels(options);
    const pool = new OrtWorkerPool(
      options,
      models.map((model) => Promise.resolve(model)),
    );
    const loads = await Promise.allSettled(pool.#threads.map((thread) => thread.ready));
    const failed = loads.find((load) => load.status === 'rejected');
    const [first] = loads;
    if (failed !== undefined || first?.status !== 'fulfilled') {
      await pool.close();
      throw failed?.reason ?? new ServingError(StatusCode.INTERNAL_ERROR, 'no worker threads');
    }
    pool.#metadata = first.value;
    return pool;
  }

  /** Metadata of the sessions (every thread loads the same model with the same options). */
  get metadata(): SessionMetadata {
    if (this.#metadata === undefined) throw new Error('OrtWorkerPool is not loaded');
    return this.#metadata;
  }

  /** Worker threads, busy or not; for gauges and tests. */
  get threads(): readonly OrtWorkerThread[] {
    return this.#threads;
  }

  /** Runs one job on a free thread. */
  run(inputs: readonly WireTensor[], transfer: ArrayBuffer[]): Promise<RunResult> {
    if (this.#closing !== undefined) {
      return Promise.reject(
        new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, 'worker pool is closed'),
      );
    }
    const index = this.#threads.findIndex((thread) => !thread.busy);
    let thread = this.#threads[index];
    if (thread === undefined) {
      return Promise.reject(
        new ServingError(StatusCode.INTERNAL_ERROR, 'more jobs than worker threads'),
      );
    }
    if (thread.dead) thread = this.#replace(thread);
    return thread.run(inputs, transfer);
  }

  /** Releases every session and ends every thread; callers wait for running jobs first. */
  close(): Promise<void> {
    this.#closing ??= Promise.all(this.#threads.map((thread) => thread.close())).then(
      () => undefined,
    );
    return this.#closing;
  }

  #replace(thread: OrtWorkerThread): OrtWorkerThread {
    const index = this.#threads.indexOf(thread);
    if (index < 0 || this.#closing !== undefined) return thread;
    const model = this.#bytes === undefined ? this.#file : this.#bytes().then(ownBuffer);
    const replacement = this.#spawn(Promise.resolve(model));
    this.#threads[index] = replacement;
    return replacement;
  }

  #spawn(model: Promise<ModelSource>): OrtWorkerThread {
    return new OrtWorkerThread({
      data: this.#data,
      file: this.#file,
      model,
      onCrash: (crashed) => this.#replace(crashed),
    });
  }
}

/**
 * One model per thread. Bytes are transferred, so each thread gets its own buffer: the last
 * takes the produced one, the others copies (each thread's session parses its own anyway).
 */
async function initialModels(options: OrtWorkerPoolOptions): Promise<ModelSource[]> {
  const size = Math.max(options.size, 1);
  if (options.bytes === undefined) return Array.from({ length: size }, () => options.file);
  let bytes: Uint8Array;
  try {
    bytes = ownBuffer(await options.bytes());
  } catch (error) {
    if (error instanceof ServingError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServingError(StatusCode.MODEL_FILE_INVALID, `cannot load ${options.file}: ${reason}`);
  }
  return Array.from({ length: size }, (_, i) => (i === size - 1 ? bytes : copy(bytes)));
}

/** A copy in a fresh ArrayBuffer (a Buffer's `slice` would be a view of the same memory). */
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** A view over a whole ArrayBuffer of its own, so it can be transferred. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes : copy(bytes);
}
