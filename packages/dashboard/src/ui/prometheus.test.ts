import { createServingMetrics } from '@ovms/metrics';
import type { RequestRecord } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { countersFromStatistics, parseServingMetrics } from './prometheus.js';

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    api: 'KServe',
    interface: 'REST',
    method: 'ModelInfer',
    name: 'm',
    version: 1,
    ok: true,
    durationUs: 250,
    ...overrides,
  };
}

describe('parseServingMetrics', () => {
  it("sums a real scrape's counters and request-time buckets by model name", async () => {
    const metrics = createServingMetrics();
    metrics.requestDone(record({ durationUs: 15 }));
    metrics.requestDone(record({ interface: 'gRPC', version: 2, durationUs: 15 }));
    metrics.requestDone(record({ ok: false }));
    metrics.requestDone(record({ name: 'other', api: 'TensorFlowServing', durationUs: 5 }));
    const counters = parseServingMetrics(await metrics.text());

    const m = counters.get('m');
    expect([m?.success, m?.fail]).toEqual([2, 1]);
    // Successful requests only are timed (OVMS): two of 15 µs, in the bucket up to 18 µs.
    expect(m?.buckets?.get(10)).toBe(0);
    expect(m?.buckets?.get(18)).toBe(2);
    expect(m?.buckets?.get(Infinity)).toBe(2);
    expect(counters.get('other')?.buckets?.get(10)).toBe(1);
  });

  it('skips comments, other families and samples without a name label', () => {
    const text = [
      '# HELP ovms_requests_success x',
      'ovms_streams{name="m",version="1"} 4',
      'ovms_requests_success 3',
      'ovms_requests_success{name="a\\"b",version="1"} 7',
    ].join('\n');
    expect([...parseServingMetrics(text)]).toEqual([['a"b', { success: 7, fail: 0 }]]);
  });
});

describe('countersFromStatistics', () => {
  it("sums Triton's per-version statistics by model, counts given as strings too", () => {
    const counters = countersFromStatistics({
      model_stats: [
        {
          name: 'm',
          inference_stats: { success: { count: '2', ns: '3000000' }, fail: { count: 1 } },
        },
        { name: 'm', inference_stats: { success: { count: 1, ns: 1000000 } } },
        { name: 'idle' },
      ],
    });
    expect(Object.fromEntries(counters)).toEqual({
      m: { success: 3, fail: 1, totalNs: 4000000 },
      idle: { success: 0, fail: 0, totalNs: 0 },
    });
  });
});
