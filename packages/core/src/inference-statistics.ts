import { INFERENCE_METHODS } from './metrics-recorder.js';
import type { InferenceRecord, MetricsRecorder, RequestRecord } from './metrics-recorder.js';

/** How many times something happened and how long it took in all, in nanoseconds. */
export interface StatisticDuration {
  readonly count: number;
  readonly ns: number;
}

/** The running totals of one model version, as Triton's statistics count them. */
export interface VersionCounters {
  /** Milliseconds since the epoch of the last successful inference; 0 when none. */
  readonly lastInference: number;
  /** Successful inference requests. */
  readonly inferenceCount: number;
  /** Model executions (an engine run), which batching would make fewer than requests. */
  readonly executionCount: number;
  readonly success: StatisticDuration;
  readonly fail: StatisticDuration;
  /** Waiting for a free infer request. */
  readonly queue: StatisticDuration;
  /** Inside the engine. */
  readonly computeInfer: StatisticDuration;
}

interface MutableDuration {
  count: number;
  ns: number;
}

interface MutableCounters {
  lastInference: number;
  inferenceCount: number;
  executionCount: number;
  success: MutableDuration;
  fail: MutableDuration;
  queue: MutableDuration;
  computeInfer: MutableDuration;
}

const zero = (): MutableDuration => ({ count: 0, ns: 0 });

/** Counters of a version that has seen no traffic. */
export const EMPTY_COUNTERS: VersionCounters = {
  lastInference: 0,
  inferenceCount: 0,
  executionCount: 0,
  success: { count: 0, ns: 0 },
  fail: { count: 0, ns: 0 },
  queue: { count: 0, ns: 0 },
  computeInfer: { count: 0, ns: 0 },
};

export interface StatisticsRecorderOptions {
  /** Receives every record too (the Prometheus metrics); absent: statistics only. */
  readonly forward?: MetricsRecorder;
  /** Milliseconds since the epoch; injectable so tests see a fixed clock. */
  readonly now?: () => number;
}

/**
 * The one place requests and inferences are observed: every record reaches the Prometheus
 * recorder (`forward`) and the per-version totals Triton's statistics report, so both views
 * count the same observations. Only records naming a resolved version are kept, which bounds
 * the totals by the versions that served (a client inventing names grows nothing).
 */
export class StatisticsRecorder implements MetricsRecorder {
  readonly #versions = new Map<string, MutableCounters>();
  readonly #forward: MetricsRecorder | undefined;
  readonly #now: () => number;

  constructor(options: StatisticsRecorderOptions = {}) {
    this.#forward = options.forward;
    this.#now = options.now ?? Date.now;
  }

  requestStarted(): void {
    this.#forward?.requestStarted();
  }

  requestDone(record: RequestRecord): void {
    this.#forward?.requestDone(record);
    if (record.version === undefined || !INFERENCE_METHODS.has(record.method)) return;
    const counters = this.#counters(record.name, record.version);
    const ns = record.durationUs * 1000;
    if (record.ok) {
      add(counters.success, ns);
      counters.inferenceCount += 1;
      counters.lastInference = this.#now();
    } else {
      add(counters.fail, ns);
    }
  }

  inferenceDone(record: InferenceRecord): void {
    this.#forward?.inferenceDone(record);
    const counters = this.#counters(record.name, record.version);
    counters.executionCount += 1;
    add(counters.queue, record.waitUs * 1000);
    add(counters.computeInfer, record.inferenceUs * 1000);
  }

  /** The totals of one version so far (zeros when it has served nothing). */
  read(name: string, version: number): VersionCounters {
    const counters = this.#versions.get(keyOf(name, version));
    if (counters === undefined) return EMPTY_COUNTERS;
    return {
      ...counters,
      success: { ...counters.success },
      fail: { ...counters.fail },
      queue: { ...counters.queue },
      computeInfer: { ...counters.computeInfer },
    };
  }

  #counters(name: string, version: number): MutableCounters {
    const key = keyOf(name, version);
    let counters = this.#versions.get(key);
    if (counters === undefined) {
      counters = {
        lastInference: 0,
        inferenceCount: 0,
        executionCount: 0,
        success: zero(),
        fail: zero(),
        queue: zero(),
        computeInfer: zero(),
      };
      this.#versions.set(key, counters);
    }
    return counters;
  }
}

function add(duration: MutableDuration, ns: number): void {
  duration.count += 1;
  duration.ns += Math.round(ns);
}

function keyOf(name: string, version: number): string {
  return `${name}\n${version}`;
}
