import { describe, expect, it } from 'vitest';
import { DEFAULT_INLINE_LIMITS, InlinePlacement, type InlineLimits } from './inline-placement.js';

const limits: InlineLimits = {
  maxInputBytes: 1_000,
  enterUs: 100,
  stayUs: 200,
  abortUs: 1_000,
  abortRuns: 3,
  samples: 4,
  cooldown: 3,
};

function inlineAfter(placement: InlinePlacement, runs: number, runUs = 20): void {
  for (let i = 0; i < runs; i += 1) placement.recordWorker(runUs, 10);
}

describe('InlinePlacement', () => {
  it('starts on the workers and moves inline after `samples` short worker runs', () => {
    const placement = new InlinePlacement(limits);
    inlineAfter(placement, 3);
    expect(placement.inline(10)).toBe(false);
    inlineAfter(placement, 1);
    expect(placement.inline(10)).toBe(true);
    expect(placement.inline(1_001)).toBe(false);
  });

  it('stays on the workers while their runs are long', () => {
    const placement = new InlinePlacement(limits);
    inlineAfter(placement, 20, 150);
    expect(placement.inline(10)).toBe(false);
  });

  it('measures no request over maxInputBytes', () => {
    const placement = new InlinePlacement(limits);
    for (let i = 0; i < 10; i += 1) placement.recordWorker(20, 5_000);
    expect(placement.inline(10)).toBe(false);
  });

  it('goes back to the workers after `abortRuns` inline runs in a row over abortUs, for `cooldown` runs', () => {
    // A high stayUs: only the long runs decide here.
    const placement = new InlinePlacement({ ...limits, stayUs: 10_000 });
    inlineAfter(placement, 4);
    placement.recordInline(5_000); // the cold first run does not count
    placement.recordInline(50);
    placement.recordInline(1_001); // preempted perhaps
    placement.recordInline(1_001);
    placement.recordInline(50);
    placement.recordInline(1_001);
    placement.recordInline(1_001);
    expect(placement.inline(10)).toBe(true);
    placement.recordInline(1_001);
    expect(placement.inline(10)).toBe(false);
    // 3 cooldown runs, then 4 samples again.
    inlineAfter(placement, 6);
    expect(placement.inline(10)).toBe(false);
    inlineAfter(placement, 1);
    expect(placement.inline(10)).toBe(true);
  });

  it('goes back to the workers when the median of a window of inline runs drifts over stayUs', () => {
    const placement = new InlinePlacement(limits);
    inlineAfter(placement, 4);
    placement.recordInline(300); // cold
    for (let i = 0; i < 3; i += 1) placement.recordInline(300);
    expect(placement.inline(10)).toBe(true);
    placement.recordInline(300);
    expect(placement.inline(10)).toBe(false);
  });

  it('keeps a tiny model inline through outliers a running mean would have counted', () => {
    const placement = new InlinePlacement(limits);
    inlineAfter(placement, 4);
    placement.recordInline(50); // cold
    // A scavenge or a preemption inside one run in each window: the medians stay 50.
    for (let window = 0; window < 10; window += 1) {
      for (const runUs of [50, 900, 50, 50]) placement.recordInline(runUs);
    }
    expect(placement.inline(10)).toBe(true);
    // Outliers on the workers do not keep a tiny model off the loop either.
    const fresh = new InlinePlacement(limits);
    for (const runUs of [20, 4_000, 20, 20]) fresh.recordWorker(runUs, 10);
    expect(fresh.inline(10)).toBe(true);
  });

  it('defaults: tiny runs only, and a run of a millisecond is always too long', () => {
    expect(DEFAULT_INLINE_LIMITS.enterUs).toBeLessThan(DEFAULT_INLINE_LIMITS.stayUs);
    expect(DEFAULT_INLINE_LIMITS.abortUs).toBeLessThanOrEqual(1_000);
  });
});
