import { describe, expect, it } from 'vitest';
import { InferPlacement, type PlacementLimits } from './infer-placement.js';

const LIMITS: PlacementLimits = {
  maxInputBytes: 1024,
  enterUs: 150,
  stayUs: 100,
  abortUs: 1_000,
  abortRuns: 3,
  samples: 4,
  cooldown: 10,
  poolUs: 300,
};
const repeat = (times: number, record: () => void) => {
  for (let i = 0; i < times; i++) record();
};

describe('InferPlacement', () => {
  it('offloads to the engine first and for long round trips, to the pool thread for short ones', () => {
    const placement = new InferPlacement(false, LIMITS);
    expect(placement.offloadToEngine()).toBe(true);
    placement.recordOffloaded(100, 1 << 20);
    expect(placement.offloadToEngine()).toBe(false);
    // The mean follows long round trips (any input size, any eligibility) back to the engine.
    repeat(8, () => placement.recordOffloaded(2_000, 1 << 20));
    expect(placement.offloadToEngine()).toBe(true);
  });

  it('moves inline only after enough short offloaded round trips', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(3, () => placement.recordOffloaded(60, 32));
    expect(placement.inline(32)).toBe(false);
    placement.recordOffloaded(60, 32);
    expect(placement.inline(32)).toBe(true);
  });

  it('stays off the loop while round trips are long', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(100, () => placement.recordOffloaded(400, 32));
    expect(placement.inline(32)).toBe(false);
  });

  it('never moves inline when not eligible (dynamic shapes, no synchronous binding)', () => {
    const placement = new InferPlacement(false, LIMITS);
    repeat(100, () => placement.recordOffloaded(10, 32));
    expect(placement.inline(32)).toBe(false);
  });

  it('goes back off the loop after abortRuns slow inline infers in a row, and waits out the cooldown', () => {
    // A high stayUs: only the slow infers in a row decide here.
    const placement = new InferPlacement(true, { ...LIMITS, stayUs: 10_000_000 });
    repeat(4, () => placement.recordOffloaded(50, 32));
    placement.recordInline(20); // cold
    placement.recordInline(5_000);
    placement.recordInline(5_000);
    placement.recordInline(20); // a slow one or two in a row are noise
    placement.recordInline(5_000);
    placement.recordInline(5_000);
    expect(placement.inline(32)).toBe(true);
    placement.recordInline(5_000);
    expect(placement.inline(32)).toBe(false);
    // Short round trips during the cooldown do not bring it back...
    repeat(LIMITS.cooldown, () => placement.recordOffloaded(50, 32));
    expect(placement.inline(32)).toBe(false);
    // ...after it, the usual evidence does.
    repeat(LIMITS.samples, () => placement.recordOffloaded(50, 32));
    expect(placement.inline(32)).toBe(true);
  });

  it('goes back off the loop when the median inline infer gets slower', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(4, () => placement.recordOffloaded(50, 32));
    repeat(3, () => placement.recordInline(20));
    expect(placement.inline(32)).toBe(true);
    repeat(30, () => placement.recordInline(300));
    expect(placement.inline(32)).toBe(false);
  });

  it('keeps large requests off the loop, and does not count them as evidence', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(100, () => placement.recordOffloaded(50, 4096));
    expect(placement.inline(32)).toBe(false);
    repeat(4, () => placement.recordOffloaded(50, 1024));
    expect(placement.inline(1024)).toBe(true);
    expect(placement.inline(1025)).toBe(false);
  });

  it('stays inline while inline infers stay under twice the offloaded round trips', () => {
    const placement = new InferPlacement(true, { ...LIMITS, enterUs: 1_000 });
    repeat(4, () => placement.recordOffloaded(400, 32));
    expect(placement.inline(32)).toBe(true);
    // Over stayUs, but not over twice the 400 µs round trips: noise, not a slower place.
    repeat(50, () => placement.recordInline(700));
    expect(placement.inline(32)).toBe(true);
    repeat(50, () => placement.recordInline(900));
    expect(placement.inline(32)).toBe(false);
  });

  it('does not count the first (cold) inline infer', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(4, () => placement.recordOffloaded(50, 32));
    placement.recordInline(900); // under abortUs, far over the mean bound
    repeat(30, () => placement.recordInline(20));
    expect(placement.inline(32)).toBe(true);
  });

  it('judges the inline median once per full window', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(4, () => placement.recordOffloaded(50, 32));
    placement.recordInline(20); // the cold call
    repeat(LIMITS.samples - 1, () => placement.recordInline(300));
    expect(placement.inline(32)).toBe(true);
    placement.recordInline(300);
    expect(placement.inline(32)).toBe(false);
  });

  it('keeps a tiny model inline through outliers a running mean would have counted', () => {
    const placement = new InferPlacement(true, LIMITS);
    repeat(4, () => placement.recordOffloaded(50, 32));
    placement.recordInline(20); // cold
    repeat(10, () => [20, 900, 20, 20].forEach((us) => placement.recordInline(us)));
    expect(placement.inline(32)).toBe(true);
    // An outlier among the offloaded round trips does not keep it off the loop either.
    const fresh = new InferPlacement(true, LIMITS);
    [50, 4_000, 50, 50].forEach((us) => fresh.recordOffloaded(us, 32));
    expect(fresh.inline(32)).toBe(true);
  });
});
