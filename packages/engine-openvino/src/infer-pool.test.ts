import { describe, expect, it } from 'vitest';
import { ServingError } from '@ovms/core';
import { InferPool } from './infer-pool.js';

describe('InferPool', () => {
  it('lends each item once and serves waiters first in, first out', async () => {
    const pool = new InferPool(['r1'], 10);
    const first = await pool.acquire();
    const order: string[] = [];
    const a = pool.acquire().then((item) => order.push(`a:${item}`));
    const b = pool.acquire().then((item) => order.push(`b:${item}`));
    expect(pool.queued).toBe(2);
    pool.release(first);
    await a;
    pool.release('r1');
    await b;
    expect(order).toEqual(['a:r1', 'b:r1']);
    expect(pool.inUse).toBe(1);
  });

  it('refuses a waiter beyond the queue bound with RESOURCE_EXHAUSTED', async () => {
    const pool = new InferPool([1], 1);
    await pool.acquire();
    const waiting = pool.acquire();
    const error = await pool.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe('RESOURCE_EXHAUSTED');
    expect((error as ServingError).message).toBe(
      'Too many requests in queue - 1 requests are waiting for 1 infer requests',
    );
    pool.release(1);
    await expect(waiting).resolves.toBe(1);
  });

  it('drops an aborted waiter from the queue with the abort reason', async () => {
    const pool = new InferPool([1], 5);
    await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(pool.queued).toBe(0);
    await expect(pool.acquire(controller.signal)).rejects.toThrow('client went away');
  });

  it('drains once nothing is lent out or waiting', async () => {
    const pool = new InferPool(['x'], 5);
    const item = await pool.acquire();
    const waiter = pool.acquire();
    let drained = false;
    const drain = pool.drain().then(() => (drained = true));
    pool.release(item);
    pool.release(await waiter);
    await drain;
    expect(drained).toBe(true);
    expect(pool.items()).toEqual(['x']);
    await expect(pool.drain()).resolves.toBeUndefined();
  });
});
