import { describe, expect, it } from 'vitest';
import type { ModelCounters } from './prometheus.js';
import { TrafficHistory, histogramQuantile } from './traffic-history.js';

const buckets = (entries: [number, number][]) => new Map(entries);

describe('histogramQuantile', () => {
  it('interpolates within the bucket holding the rank, as Prometheus does', () => {
    // 10 observations: 4 up to 10, 6 more up to 20.
    const histogram = buckets([
      [10, 4],
      [20, 10],
      [Infinity, 10],
    ]);
    expect(histogramQuantile(0.2, histogram)).toBe(5);
    expect(histogramQuantile(0.5, histogram)).toBeCloseTo(10 + (10 * 1) / 6);
    expect(histogramQuantile(0.99, histogram)).toBeCloseTo(10 + (10 * 5.9) / 6);
  });

  it('answers the largest finite bound for ranks in +Inf, null without observations', () => {
    expect(
      histogramQuantile(
        0.99,
        buckets([
          [10, 1],
          [Infinity, 5],
        ]),
      ),
    ).toBe(10);
    expect(
      histogramQuantile(
        0.5,
        buckets([
          [10, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNull();
  });
});

const counters = (entries: Record<string, ModelCounters>) => new Map(Object.entries(entries));

describe('TrafficHistory', () => {
  it('turns the growth between scrapes into rates, errors and percentiles in ms', () => {
    const history = new TrafficHistory(10);
    history.add(
      100,
      counters({
        m: {
          success: 5,
          fail: 0,
          buckets: buckets([
            [1000, 5],
            [Infinity, 5],
          ]),
        },
      }),
    );
    expect(history.times).toEqual([]);
    history.add(
      102,
      counters({
        m: {
          success: 9,
          fail: 2,
          buckets: buckets([
            [1000, 9],
            [Infinity, 9],
          ]),
        },
      }),
    );
    expect(history.times).toEqual([102]);
    const series = history.series('m');
    expect(series?.rate).toEqual([3]);
    expect(series?.errors).toEqual([1]);
    // 4 new observations, all up to 1000 µs: p50 at half the bucket, 0.5 ms.
    expect(series?.p50).toEqual([0.5]);
    expect(series?.p99[0]).toBeCloseTo(0.99);
    expect(history.totals('m')).toEqual({
      success: 9,
      fail: 2,
      buckets: buckets([
        [1000, 9],
        [Infinity, 9],
      ]),
    });
  });

  it('leaves latency empty for an interval without requests and keeps series aligned', () => {
    const history = new TrafficHistory(10);
    const idle = {
      success: 0,
      fail: 0,
      buckets: buckets([
        [10, 0],
        [Infinity, 0],
      ]),
    };
    history.add(1, counters({ a: idle }));
    history.add(2, counters({ a: idle }));
    history.add(3, counters({ a: { success: 0, fail: 0 }, b: { success: 1, fail: 0 } }));
    expect(history.series('a')).toEqual({
      rate: [0, 0],
      errors: [0, 0],
      p50: [null, null],
      p99: [null, null],
    });
    // `b` appeared at the second point: its first point is a gap, then 0 (no baseline yet).
    expect(history.series('b')?.rate).toEqual([null, 0]);
    expect(history.models()).toEqual(['a', 'b']);
  });

  it('counts a counter that dropped (a restarted server) from zero', () => {
    const history = new TrafficHistory(10);
    history.add(1, counters({ m: { success: 50, fail: 0 } }));
    history.add(2, counters({ m: { success: 3, fail: 0 } }));
    expect(history.series('m')?.rate).toEqual([3]);
  });

  it('uses the mean of Triton sums for both percentiles', () => {
    const history = new TrafficHistory(10);
    history.add(1, counters({ m: { success: 1, fail: 0, totalNs: 1e6 } }));
    history.add(2, counters({ m: { success: 3, fail: 0, totalNs: 7e6 } }));
    expect([history.series('m')?.p50, history.series('m')?.p99]).toEqual([[3], [3]]);
  });

  it('keeps the last `capacity` points only and ignores scrapes that do not move forward', () => {
    const history = new TrafficHistory(2);
    for (const [time, count] of [
      [1, 0],
      [2, 1],
      [3, 3],
      [4, 6],
    ] as const) {
      history.add(time, counters({ m: { success: count, fail: 0 } }));
    }
    history.add(4, counters({ m: { success: 100, fail: 0 } }));
    expect(history.times).toEqual([3, 4]);
    expect(history.series('m')?.rate).toEqual([2, 3]);
  });
});
