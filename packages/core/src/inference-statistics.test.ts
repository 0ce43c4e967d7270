import { describe, expect, it } from 'vitest';
import { EMPTY_COUNTERS, StatisticsRecorder } from './inference-statistics.js';
import type { InferenceRecord, MetricsRecorder, RequestRecord } from './metrics-recorder.js';

const request = (overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  api: 'KServe',
  interface: 'gRPC',
  method: 'ModelInfer',
  name: 'add',
  version: 1,
  ok: true,
  durationUs: 250,
  ...overrides,
});
const inference: InferenceRecord = { name: 'add', version: 1, inferenceUs: 120, waitUs: 30 };

describe('StatisticsRecorder', () => {
  it('totals successful and failed inference requests and engine runs per version', () => {
    let clock = 1_700_000_000_000;
    const recorder = new StatisticsRecorder({ now: () => clock });
    recorder.requestDone(request());
    recorder.inferenceDone(inference);
    clock += 5;
    recorder.requestDone(request({ interface: 'REST', method: 'Predict', durationUs: 750 }));
    recorder.inferenceDone(inference);
    recorder.requestDone(request({ ok: false, durationUs: 40 }));

    expect(recorder.read('add', 1)).toEqual({
      lastInference: 1_700_000_000_005,
      inferenceCount: 2,
      executionCount: 2,
      success: { count: 2, ns: 1_000_000 },
      fail: { count: 1, ns: 40_000 },
      queue: { count: 2, ns: 60_000 },
      computeInfer: { count: 2, ns: 240_000 },
    });
    expect(recorder.read('add', 2)).toBe(EMPTY_COUNTERS);
  });

  it('ignores metadata calls and requests that resolved no version', () => {
    const recorder = new StatisticsRecorder();
    recorder.requestDone(request({ method: 'ModelMetadata' }));
    recorder.requestDone(request({ version: undefined, ok: false }));
    expect(recorder.read('add', 1)).toBe(EMPTY_COUNTERS);
  });

  it('hands every record to the forwarded recorder unchanged', () => {
    const seen: unknown[] = [];
    const forward: MetricsRecorder = {
      requestStarted: () => seen.push('started'),
      requestDone: (record) => seen.push(record),
      inferenceDone: (record) => seen.push(record),
    };
    const recorder = new StatisticsRecorder({ forward });
    const metadata = request({ method: 'ModelMetadata' });
    recorder.requestStarted();
    recorder.requestDone(metadata);
    recorder.inferenceDone(inference);
    expect(seen).toEqual(['started', metadata, inference]);
  });

  it('returns copies, so a reader cannot change the totals', () => {
    const recorder = new StatisticsRecorder();
    recorder.requestDone(request());
    const first = recorder.read('add', 1);
    (first.success as { count: number }).count = 99;
    expect(recorder.read('add', 1).success.count).toBe(1);
  });
});
