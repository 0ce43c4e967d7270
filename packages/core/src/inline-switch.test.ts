import { describe, expect, it } from 'vitest';
import { InlineSwitch } from './inline-switch.js';

const limits = { abortUs: 1_000, abortRuns: 3, samples: 4, cooldown: 2 };

describe('InlineSwitch', () => {
  it('offers the median of each full window of offloaded runs, none while inline', () => {
    const sw = new InlineSwitch(limits);
    expect([50, 9_000, 50].map((us) => sw.offloaded(us))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(sw.offloaded(60)).toBe(55);
    sw.enter();
    expect(sw.inline).toBe(true);
    expect(sw.offloaded(10)).toBeUndefined();
  });

  it('skips the cold run, leaves after abortRuns long runs in a row, then cools down', () => {
    const sw = new InlineSwitch(limits);
    sw.enter();
    for (const us of [5_000, 2_000, 2_000, 50, 2_000, 2_000]) sw.recordInline(us, 10_000);
    expect(sw.inline).toBe(true);
    sw.recordInline(2_000, 10_000);
    expect(sw.inline).toBe(false);
    expect([10, 10].map((us) => sw.offloaded(us))).toEqual([undefined, undefined]);
    expect([10, 10, 10, 10].map((us) => sw.offloaded(us))).toEqual([
      undefined,
      undefined,
      undefined,
      10,
    ]);
  });

  it("leaves when a full window's median passes the caller's bound", () => {
    const sw = new InlineSwitch(limits);
    sw.enter();
    for (const us of [20, 300, 300, 300]) sw.recordInline(us, 100);
    expect(sw.inline).toBe(true);
    sw.recordInline(300, 100);
    expect(sw.inline).toBe(false);
  });
});
