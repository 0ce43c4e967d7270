import { createMemoryBudget } from '@ovms/core';
import type { MemoryBudget } from '@ovms/core';

/** A MemoryBudget whose count lives in shared memory, so threads can hold one budget. */
export interface SharedMemoryBudget extends MemoryBudget {
  /** The counter: hand it (with `limitBytes`) to another thread's createSharedMemoryBudget. */
  readonly buffer: SharedArrayBuffer;
}

/**
 * The server-wide memory budget held across threads: the main thread's REST and every gRPC
 * transport loop refuse work against the same total. A new counter when no buffer is given.
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
