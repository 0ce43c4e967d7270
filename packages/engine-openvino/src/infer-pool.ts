import { ServingError, StatusCode } from '@ovms/core';

interface Waiter<T> {
  resolve(item: T): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A fixed set of items (infer requests) lent one at a time, with a bounded FIFO queue of
 * waiters: when all are busy and the queue is full, `acquire` fails with RESOURCE_EXHAUSTED
 * instead of holding unbounded memory (DESIGN.md "Performance rules").
 */
export class InferPool<T> {
  private readonly idle: T[];
  private readonly waiters: Waiter<T>[] = [];
  private waitersHead = 0;
  private drained: (() => void)[] = [];
  private active = 0;

  constructor(
    items: readonly T[],
    private readonly maxQueued: number,
  ) {
    this.idle = [...items];
  }

  /** Items lent out now. */
  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for an item now. */
  get queued(): number {
    return this.waiters.length - this.waitersHead;
  }

  acquire(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const item = this.idle.pop();
    if (item !== undefined) {
      this.active++;
      return Promise.resolve(item);
    }
    if (this.queued >= this.maxQueued) {
      return Promise.reject(
        new ServingError(
          StatusCode.RESOURCE_EXHAUSTED,
          `${this.queued} requests are waiting for ${this.active} infer requests`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const index = this.waiters.indexOf(waiter, this.waitersHead);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal.reason as Error);
          this.notifyIfDrained();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  /** Returns an item: the oldest waiter gets it, else it goes back to the idle set. */
  release(item: T): void {
    const waiter = this.waiters[this.waitersHead];
    if (waiter !== undefined) {
      this.waiters[this.waitersHead] = undefined as unknown as Waiter<T>;
      this.waitersHead++;
      // Compact so the array does not grow without bound under steady load.
      if (this.waitersHead === this.waiters.length) {
        this.waiters.length = 0;
        this.waitersHead = 0;
      } else if (this.waitersHead > 1024 && this.waitersHead * 2 > this.waiters.length) {
        this.waiters.splice(0, this.waitersHead);
        this.waitersHead = 0;
      }
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(item);
      return;
    }
    this.active--;
    this.idle.push(item);
    this.notifyIfDrained();
  }

  /** Resolves once nothing is lent out and nobody waits (for close and reshape). */
  drain(): Promise<void> {
    if (this.active === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Every item, once drained: the caller frees them. */
  items(): readonly T[] {
    return this.idle;
  }

  private notifyIfDrained(): void {
    if (this.active !== 0 || this.queued !== 0 || this.drained.length === 0) return;
    const callbacks = this.drained;
    this.drained = [];
    for (const callback of callbacks) callback();
  }
}
