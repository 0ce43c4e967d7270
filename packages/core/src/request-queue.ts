import { ServingError, StatusCode } from './status.js';

export interface RequestQueueOptions {
  /** Requests running at once (the model's `nireq`). */
  readonly concurrency: number;
  /** Requests allowed to wait; one more is refused with RESOURCE_EXHAUSTED. */
  readonly maxQueued: number;
}

interface Waiter {
  readonly start: () => void;
  readonly cancel: (reason: unknown) => void;
}

/**
 * A model's pool of infer requests: at most `concurrency` tasks run, the rest wait in FIFO
 * order up to `maxQueued`, and overflow is refused at once (backpressure instead of unbounded
 * memory, DESIGN.md "Performance rules"). `active` / `queued` feed the OVMS gauges
 * `ovms_infer_req_active` / `ovms_infer_req_queue_size`.
 */
export class RequestQueue {
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #waiting: Waiter[] = [];
  #active = 0;
  #idle: (() => void)[] = [];

  constructor(options: RequestQueueOptions) {
    if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer; actual ${options.concurrency}`);
    }
    if (!Number.isSafeInteger(options.maxQueued) || options.maxQueued < 0) {
      throw new RangeError(`maxQueued must be a non-negative integer; actual ${options.maxQueued}`);
    }
    this.#concurrency = options.concurrency;
    this.#maxQueued = options.maxQueued;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` when a slot is free. A request aborted while it waits leaves the queue and
   * rejects with the signal's reason; once running it completes (native runs cannot stop).
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.#active >= this.#concurrency) await this.#wait(signal);
    else this.#active++;
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  /** Resolves once nothing runs or waits. */
  async idle(): Promise<void> {
    if (this.#active === 0 && this.#waiting.length === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.#waiting.length >= this.#maxQueued) {
      throw new ServingError(
        StatusCode.RESOURCE_EXHAUSTED,
        `${this.#waiting.length} requests already wait for ${this.#concurrency} infer requests (limit ${this.#maxQueued})`,
      );
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.cancel(signal?.reason);
      const waiter: Waiter = {
        // The slot is handed over by #release, so `active` already counts this request.
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: (reason) => {
          const index = this.#waiting.indexOf(waiter);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(reason instanceof Error ? reason : new Error(String(reason)));
          this.#notifyIdle();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next.start();
      return;
    }
    this.#active--;
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#active !== 0 || this.#waiting.length !== 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
