import { ServingError } from '@ovms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversionPool } from './conversion-pool.js';

const pools: ConversionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

function pool(options: ConstructorParameters<typeof ConversionPool>[0]): ConversionPool {
  const created = new ConversionPool(options);
  pools.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServingError);
  return { code: (error as ServingError).code, message: (error as ServingError).message };
}

describe('ConversionPool', () => {
  it('converts 8-bit values to INT64 on its threads, in order of the values', async () => {
    const bytes = await pool({}).convert(Uint8Array.from([0, 7, 255]), 'INT64');
    expect([...new BigInt64Array(bytes.buffer, bytes.byteOffset, 3)]).toEqual([0n, 7n, 255n]);
  });

  it('refuses conversions beyond its queue as RESOURCE_EXHAUSTED, and runs the rest', async () => {
    const small = pool({ threads: 1, maxQueued: 1 });
    const values = new Uint8Array(1 << 20);
    const running = small.convert(values, 'FP16');
    const queued = small.convert(values, 'FP16');
    expect(await failure(small.convert(values, 'FP16'))).toEqual({
      code: 'RESOURCE_EXHAUSTED',
      message: 'Too many requests in queue - 1 image conversions are waiting already',
    });
    expect((await running).byteLength).toBe(2 << 20);
    expect((await queued).byteLength).toBe(2 << 20);
  });

  it('fails the conversion of a thread that dies as INTERNAL_ERROR, and starts another', async () => {
    const single = pool({ threads: 1 });
    // A type the worker has no table for makes it throw, which ends the thread.
    const broken = single.convert(Uint8Array.from([1]), 'FP8' as 'FP16');
    const error = await failure(broken);
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toMatch(/^Internal server error - image conversion thread failed: /);
    const bytes = await single.convert(Uint8Array.from([3]), 'UINT64');
    expect([...new BigUint64Array(bytes.buffer, bytes.byteOffset, 1)]).toEqual([3n]);
  });

  it('fails conversions waiting or running when closed, and every one after', async () => {
    const closing = pool({ threads: 1 });
    const values = new Uint8Array(1 << 20);
    const pending = [closing.convert(values, 'BF16'), closing.convert(values, 'BF16')].map(failure);
    await closing.close();
    const closed = {
      code: 'INTERNAL_ERROR',
      message: 'Internal server error - image decoder is closed',
    };
    expect(await Promise.all(pending)).toEqual([closed, closed]);
    expect(await failure(closing.convert(values, 'BF16'))).toEqual(closed);
  });
});
