import { describe, expect, it } from 'vitest';
import { LeaseCounter } from './lease.js';

describe('LeaseCounter', () => {
  it('retires only after the last holder releases, and refuses new holds meanwhile', async () => {
    const lease = new LeaseCounter();
    expect(lease.tryAcquire()).toBe(true);
    expect(lease.tryAcquire()).toBe(true);
    let retired = false;
    const retirement = lease.retire().then(() => {
      retired = true;
    });
    expect(lease.tryAcquire()).toBe(false);
    lease.release();
    await Promise.resolve();
    expect(retired).toBe(false);
    lease.release();
    await retirement;
    expect(retired).toBe(true);
  });

  it('throws on a release without an acquire', () => {
    expect(() => new LeaseCounter().release()).toThrow('released more often than acquired');
  });
});
