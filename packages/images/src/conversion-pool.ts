import { Worker } from 'node:worker_threads';
import { ServingError, StatusCode } from '@ovms/core';

/** Element types libvips cannot write; the pool's workers convert 8-bit pixels to them. */
export type WorkerDataType = 'FP16' | 'BF16' | 'INT64' | 'UINT64';

export const WORKER_DATA_TYPES: ReadonlySet<string> = new Set<WorkerDataType>([
  'FP16',
  'BF16',
  'INT64',
  'UINT64',
]);

/** What the main thread posts: 8-bit values to convert (copied, as they may be sharp's memory). */
export interface ConvertRequest {
  readonly dtype: WorkerDataType;
  readonly values: Uint8Array;
}

/** What a worker answers: the converted values' bytes, transferred. */
export interface ConvertReply {
  readonly bytes: Uint8Array;
}

export interface ConversionPoolOptions {
  /** Worker threads at most, started when first needed; default 2. */
  readonly threads?: number;
  /** Conversions waiting for a thread at most; more are refused (RESOURCE_EXHAUSTED). */
  readonly maxQueued?: number;
}

interface Job {
  readonly request: ConvertRequest;
  resolve(bytes: Uint8Array): void;
  reject(error: unknown): void;
}

const WORKER_URL = new URL('./convert-worker.js', import.meta.url);

/**
 * A small pool of worker threads converting 8-bit pixel values to FP16, BF16, INT64 or UINT64,
 * so no conversion runs on the event loop. Threads start on first use, hold the process only
 * while they work, and end on `close()`.
 */
export class ConversionPool {
  readonly #threads: number;
  readonly #maxQueued: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Job>();
  readonly #queue: Job[] = [];
  #closed = false;

  constructor(options: ConversionPoolOptions = {}) {
    this.#threads = Math.max(1, options.threads ?? 2);
    this.#maxQueued = options.maxQueued ?? 256;
  }

  /** `values` converted to `dtype`, as the bytes of a typed array of that type. */
  convert(values: Uint8Array, dtype: WorkerDataType): Promise<Uint8Array> {
    if (this.#closed) {
      return Promise.reject(new ServingError(StatusCode.INTERNAL_ERROR, 'image decoder is closed'));
    }
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        new ServingError(
          StatusCode.RESOURCE_EXHAUSTED,
          `${this.#queue.length} image conversions are waiting already`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ request: { dtype, values }, resolve, reject });
      this.#next();
    });
  }

  /** Ends every thread; conversions not done yet fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new ServingError(StatusCode.INTERNAL_ERROR, 'image decoder is closed');
    for (const job of this.#queue.splice(0)) job.reject(closed);
    for (const job of this.#busy.values()) job.reject(closed);
    const workers = [...this.#idle.splice(0), ...this.#busy.keys()];
    this.#busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #next(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? this.#start();
      if (worker === undefined) return;
      const job = this.#queue.shift() as Job;
      this.#busy.set(worker, job);
      worker.ref();
      worker.postMessage(job.request);
    }
  }

  #start(): Worker | undefined {
    if (this.#busy.size + this.#idle.length >= this.#threads) return undefined;
    const worker = new Worker(WORKER_URL);
    worker.on('message', (reply: ConvertReply) => {
      const job = this.#busy.get(worker);
      this.#busy.delete(worker);
      worker.unref();
      this.#idle.push(worker);
      job?.resolve(reply.bytes);
      this.#next();
    });
    worker.on('error', (error) => this.#lose(worker, error));
    worker.on('exit', (code) => this.#lose(worker, new Error(`exited with code ${code}`)));
    return worker;
  }

  /** A thread that failed or ended: its job fails, the next conversion starts a new thread. */
  #lose(worker: Worker, error: unknown): void {
    const job = this.#busy.get(worker);
    this.#busy.delete(worker);
    const idle = this.#idle.indexOf(worker);
    if (idle >= 0) this.#idle.splice(idle, 1);
    job?.reject(
      new ServingError(
        StatusCode.INTERNAL_ERROR,
        `image conversion thread failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      ),
    );
    if (!this.#closed) this.#next();
  }
}
