import { ServingError, StatusCode } from './status.js';

/**
 * Bytes one request holds against a MemoryBudget. `grow` adds to it (a body read in chunks);
 * `release` gives everything back and is idempotent, so every exit path may call it.
 */
export interface MemoryLease {
  /** Bytes held now. */
  readonly bytes: number;
  /** Holds `bytes` more; throws RESOURCE_EXHAUSTED (holding nothing more) if the budget is spent. */
  grow(bytes: number): void;
  release(): void;
}

/**
 * A server-wide cap on the bytes of requests in flight: bodies and messages being read, and the
 * tensors decoded from them while they are inferred. Work that would pass the cap is refused at
 * once (RESOURCE_EXHAUSTED: 503 / gRPC RESOURCE_EXHAUSTED), never queued: a queue of large
 * requests is what runs a process out of memory. Both transports share one instance.
 */
export interface MemoryBudget {
  /** The cap in bytes; 0 means no cap (leases are still counted). */
  readonly limitBytes: number;
  /** Bytes held by leases now. */
  readonly inUseBytes: number;
  /** A lease of `bytes` (0 for a body of unknown length); throws RESOURCE_EXHAUSTED if over. */
  admit(bytes: number): MemoryLease;
}

/** The refusal, worded so a client knows to retry later or send less. */
export function memoryBudgetExceeded(limit: number, inUse: number, wanted: number): ServingError {
  return new ServingError(
    StatusCode.RESOURCE_EXHAUSTED,
    `memory budget exceeded: requests in flight hold ${inUse} of ${limit} bytes and this one needs ${wanted} more; retry later or send a smaller request`,
  );
}

/**
 * A MemoryBudget of `limitBytes` (`--memory_budget_bytes`); 0 counts without refusing. With
 * `shared`, the bytes in use are one 64-bit counter in that buffer, taken with compare-and-swap,
 * so threads given the same buffer (gRPC transport loops, REST in the main thread) hold one
 * budget together.
 */
export function createMemoryBudget(limitBytes: number, shared?: SharedArrayBuffer): MemoryBudget {
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 0)
    throw new RangeError(`memory budget must be a byte count >= 0; got ${limitBytes}`);
  const counter = shared === undefined ? undefined : new BigInt64Array(shared, 0, 1);
  let local = 0;
  const inUse = (): number => (counter === undefined ? local : Number(Atomics.load(counter, 0)));
  const take = (bytes: number): void => {
    if (counter === undefined) {
      if (limitBytes > 0 && local + bytes > limitBytes)
        throw memoryBudgetExceeded(limitBytes, local, bytes);
      local += bytes;
      return;
    }
    for (;;) {
      const now = Atomics.load(counter, 0);
      const next = now + BigInt(bytes);
      if (limitBytes > 0 && next > BigInt(limitBytes))
        throw memoryBudgetExceeded(limitBytes, Number(now), bytes);
      if (Atomics.compareExchange(counter, 0, now, next) === now) return;
    }
  };
  const give = (bytes: number): void => {
    if (counter === undefined) local -= bytes;
    else Atomics.sub(counter, 0, BigInt(bytes));
  };
  return {
    limitBytes,
    get inUseBytes() {
      return inUse();
    },
    admit(bytes) {
      take(bytes);
      let held = bytes;
      let released = false;
      return {
        get bytes() {
          return released ? 0 : held;
        },
        grow(more) {
          if (released) return;
          take(more);
          held += more;
        },
        release() {
          if (released) return;
          released = true;
          give(held);
        },
      };
    },
  };
}

/** A MemoryBudget whose count lives in shared memory, so threads can hold one budget. */
export interface SharedMemoryBudget extends MemoryBudget {
  /** The counter: hand it (with `limitBytes`) to another thread's createSharedMemoryBudget. */
  readonly buffer: SharedArrayBuffer;
}

/**
 * The server-wide memory budget held across threads: the main thread and every transport loop
 * refuse work against the same total. A new counter when no buffer is given.
 */
export function createSharedMemoryBudget(
  limitBytes: number,
  buffer: SharedArrayBuffer = new SharedArrayBuffer(8),
): SharedMemoryBudget {
  const budget = createMemoryBudget(limitBytes, buffer);
  return {
    buffer,
    limitBytes,
    get inUseBytes() {
      return budget.inUseBytes;
    },
    admit: (bytes) => budget.admit(bytes),
  };
}
