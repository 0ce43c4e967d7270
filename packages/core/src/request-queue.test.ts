import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode } from './status.js';
import { RequestQueue } from './request-queue.js';

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('RequestQueue', () => {
  it('runs at most `concurrency` tasks and starts waiters in FIFO order', async () => {
    const queue = new RequestQueue({ concurrency: 2, maxQueued: 10 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([queue.active, queue.queued]).toEqual([2, 2]);
    gates[1]?.resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((gate) => gate.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([queue.active, queue.queued]).toEqual([0, 0]);
  });

  it('refuses overflow with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const queue = new RequestQueue({ concurrency: 1, maxQueued: 0 });
    const gate = deferred();
    const first = queue.run(() => gate.promise);
    const error = await queue.run(() => Promise.resolve(1)).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect((error as ServingError).message).toBe(
      'Too many requests in queue - 0 requests already wait for 1 infer requests (limit 0)',
    );
    gate.resolve();
    await first;
    await expect(queue.run(() => Promise.resolve(2))).resolves.toBe(2);
  });

  it('frees the slot when a task fails', async () => {
    const queue = new RequestQueue({ concurrency: 1, maxQueued: 1 });
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(queue.active).toBe(0);
    await expect(queue.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('rejects an already aborted request without running it', async () => {
    const queue = new RequestQueue({ concurrency: 1, maxQueued: 1 });
    let ran = false;
    const signal = AbortSignal.abort(new Error('gone'));
    await expect(queue.run(() => Promise.resolve((ran = true)), signal)).rejects.toThrow('gone');
    expect(ran).toBe(false);
  });

  it('idle() resolves after running and waiting tasks finish', async () => {
    const queue = new RequestQueue({ concurrency: 1, maxQueued: 5 });
    const gate = deferred();
    const order: string[] = [];
    const a = queue.run(() => gate.promise.then(() => order.push('a')));
    const b = queue.run(() => Promise.resolve(order.push('b')));
    const idle = queue.idle().then(() => order.push('idle'));
    gate.resolve();
    await Promise.all([a, b, idle]);
    expect(order).toEqual(['a', 'b', 'idle']);
  });

  it('refuses nonsense limits', () => {
    expect(() => new RequestQueue({ concurrency: 0, maxQueued: 1 })).toThrow(
      'concurrency must be a positive integer; actual 0',
    );
    expect(() => new RequestQueue({ concurrency: 1, maxQueued: -1 })).toThrow(
      'maxQueued must be a non-negative integer; actual -1',
    );
  });
});
