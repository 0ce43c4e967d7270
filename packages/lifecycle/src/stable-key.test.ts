import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';
import { stableKey } from './stable-key.js';

describe('stableKey', () => {
  it('ignores key order but not array order or values', () => {
    expect(stableKey({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      stableKey({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(stableKey({ a: [1, 2] })).not.toBe(stableKey({ a: [2, 1] }));
    expect(stableKey({ nireq: 1 })).not.toBe(stableKey({ nireq: 2 }));
  });
});

describe('SerialQueue', () => {
  it('runs tasks in order, one at a time, past a failing one', async () => {
    const queue = new SerialQueue();
    const order: string[] = [];
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = queue.run(async () => {
      order.push('slow started');
      await gate;
      order.push('slow');
    });
    const failing = queue.run(() => Promise.reject(new Error('boom')));
    const fast = queue.run(() => Promise.resolve(order.push('fast')));
    await Promise.resolve();
    expect(order).toEqual(['slow started']);
    open();
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await fast;
    expect(order).toEqual(['slow started', 'slow', 'fast']);
  });
});
