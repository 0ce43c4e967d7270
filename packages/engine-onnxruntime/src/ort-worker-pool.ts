import type { InferenceSession } from 'onnxruntime-node';
import { ServingError, StatusCode } from '@ovms/core';
import { OrtWorkerThread, type SessionMetadata } from './ort-worker-thread.js';
import type { RunResult, WireTensor, WorkerData } from './worker-protocol.js';

export interface OrtWorkerPoolOptions {
  readonly file: string;
  readonly sessionOptions: InferenceSession.SessionOptions;
  /** Worker threads, one InferenceSession each: the model's `nireq`. */
  readonly size: number;
}

/**
 * A model's infer requests: `size` worker threads, each with its own InferenceSession from
 * the same file and options. The caller (the model's RequestQueue) runs at most `size` jobs
 * at once, so a free thread always exists. A thread that crashes fails its job and is
 * replaced at once; one whose replacement fails to load is retried by the next job.
 */
export class OrtWorkerPool {
  readonly #data: WorkerData;
  readonly #threads: OrtWorkerThread[] = [];
  #metadata: SessionMetadata | undefined;
  #closing: Promise<void> | undefined;

  private constructor(data: WorkerData, size: number) {
    this.#data = data;
    for (let i = 0; i < size; i++) this.#threads.push(this.#spawn());
  }

  /** Starts every thread in parallel; the first load error (MODEL_FILE_INVALID) fails the pool. */
  static async start(options: OrtWorkerPoolOptions): Promise<OrtWorkerPool> {
    const data: WorkerData = { file: options.file, sessionOptions: options.sessionOptions };
    const pool = new OrtWorkerPool(data, options.size);
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

  /** Metadata of the sessions (every thread loads the same file with the same options). */
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
    const replacement = this.#spawn();
    this.#threads[index] = replacement;
    return replacement;
  }

  #spawn(): OrtWorkerThread {
    return new OrtWorkerThread(this.#data, (crashed) => this.#replace(crashed));
  }
}
