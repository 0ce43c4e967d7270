import { describe, expect, it } from 'vitest';
import { createMemoryBudget } from './memory-budget.js';
import { ServingError, StatusCode } from './status.js';

function refusal(run: () => unknown): ServingError {
  try {
    run();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('createMemoryBudget', () => {
  it('admits up to the limit and refuses past it with RESOURCE_EXHAUSTED', () => {
    const budget = createMemoryBudget(100);
    const a = budget.admit(60);
    const b = budget.admit(40);
    expect(budget.inUseBytes).toBe(100);
    const error = refusal(() => budget.admit(1));
    expect(error.code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(error.message).toBe(
      'Too many requests in queue - memory budget exceeded: requests in flight hold 100 of 100 bytes and this one needs 1 more; retry later or send a smaller request',
    );
    a.release();
    b.release();
    expect(budget.inUseBytes).toBe(0);
  });

  it('grows a lease chunk by chunk and refuses the chunk that would pass the limit', () => {
    const budget = createMemoryBudget(10);
    const lease = budget.admit(0);
    lease.grow(6);
    expect(lease.bytes).toBe(6);
    expect(refusal(() => lease.grow(5)).code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect(lease.bytes).toBe(6);
    expect(budget.inUseBytes).toBe(6);
    lease.release();
    expect(budget.inUseBytes).toBe(0);
  });

  it('releases once however often release is called, and ignores growth after it', () => {
    const budget = createMemoryBudget(10);
    const lease = budget.admit(4);
    const other = budget.admit(3);
    lease.release();
    lease.release();
    lease.grow(100);
    expect(lease.bytes).toBe(0);
    expect(budget.inUseBytes).toBe(3);
    other.release();
    expect(budget.inUseBytes).toBe(0);
  });

  it('counts without refusing when the limit is 0', () => {
    const budget = createMemoryBudget(0);
    const lease = budget.admit(2 ** 40);
    expect(budget.inUseBytes).toBe(2 ** 40);
    lease.release();
    expect(budget.inUseBytes).toBe(0);
  });

  it('refuses a limit that is not a byte count', () => {
    expect(() => createMemoryBudget(-1)).toThrow('memory budget must be a byte count >= 0; got -1');
    expect(() => createMemoryBudget(1.5)).toThrow(RangeError);
  });

  it('counts in a shared buffer: budgets over the same buffer hold one total', () => {
    const shared = new SharedArrayBuffer(8);
    const here = createMemoryBudget(10, shared);
    const there = createMemoryBudget(10, shared);
    const lease = here.admit(7);
    expect(there.inUseBytes).toBe(7);
    const error = refusal(() => there.admit(4));
    expect(error.message).toBe(
      'Too many requests in queue - memory budget exceeded: requests in flight hold 7 of 10 bytes and this one needs 4 more; retry later or send a smaller request',
    );
    const other = there.admit(3);
    lease.release();
    expect(here.inUseBytes).toBe(3);
    other.release();
    expect(there.inUseBytes).toBe(0);
  });
});
