import type { ModelCounters } from './prometheus.js';

/** A model's traffic over one polling interval. Latencies in ms; null: no request finished. */
export interface TrafficPoint {
  readonly rate: number;
  readonly errors: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

/** A model's points, oldest first, aligned with `TrafficHistory.times`. */
export interface TrafficSeries {
  readonly rate: (number | null)[];
  readonly errors: (number | null)[];
  readonly p50: (number | null)[];
  readonly p99: (number | null)[];
}

/**
 * The `q` quantile of a histogram's observations (cumulative counts by upper bound), in the
 * bound's unit, as Prometheus's `histogram_quantile` computes it: linear within the bucket that
 * holds the rank; in the `+Inf` bucket, the largest finite bound. Null without observations.
 */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? buckets.get(bounds.at(-1) ?? Infinity) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound) ?? 0;
    if (count >= rank) {
      if (bound === Infinity) return lower;
      const inBucket = count - below;
      return inBucket <= 0 ? bound : lower + ((bound - lower) * (rank - below)) / inBucket;
    }
    lower = bound;
    below = count;
  }
  return lower;
}

function columnsOf(series: TrafficSeries): (number | null)[][] {
  return [series.rate, series.errors, series.p50, series.p99];
}

/** A counter's growth since the last scrape; a drop means the server restarted and counts anew. */
function growth(now: number, before: number | undefined): number {
  if (before === undefined) return 0;
  return now >= before ? now - before : now;
}

function bucketGrowth(
  now: ReadonlyMap<number, number>,
  before: ReadonlyMap<number, number> | undefined,
): Map<number, number> {
  const delta = new Map<number, number>();
  for (const [bound, count] of now) delta.set(bound, growth(count, before?.get(bound) ?? 0));
  return delta;
}

function pointOf(
  now: ModelCounters,
  before: ModelCounters | undefined,
  seconds: number,
): TrafficPoint {
  const success = growth(now.success, before?.success);
  const fail = growth(now.fail, before?.fail);
  let p50: number | null = null;
  let p99: number | null = null;
  if (before !== undefined && now.buckets !== undefined) {
    const delta = bucketGrowth(now.buckets, before.buckets);
    const us50 = histogramQuantile(0.5, delta);
    const us99 = histogramQuantile(0.99, delta);
    p50 = us50 === null ? null : us50 / 1000;
    p99 = us99 === null ? null : us99 / 1000;
  } else if (before !== undefined && now.totalNs !== undefined && success > 0) {
    // Triton statistics carry sums only: the mean stands in for both percentiles.
    p50 = p99 = growth(now.totalNs, before.totalNs) / success / 1e6;
  }
  return { rate: (success + fail) / seconds, errors: fail / seconds, p50, p99 };
}

/**
 * The last `capacity` scrapes turned into per-model rates and latency percentiles, for the
 * charts: each `add` compares the counters with the previous scrape's.
 */
export class TrafficHistory {
  readonly #capacity: number;
  readonly #times: number[] = [];
  readonly #series = new Map<string, TrafficSeries>();
  #previous: { time: number; counters: ReadonlyMap<string, ModelCounters> } | undefined;
  #latestCounters: ReadonlyMap<string, ModelCounters> = new Map();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Scrape times in seconds since the epoch, oldest first. */
  get times(): readonly number[] {
    return this.#times;
  }

  /** `time` in seconds. The first scrape only sets the baseline. */
  add(time: number, counters: ReadonlyMap<string, ModelCounters>): void {
    const previous = this.#previous;
    this.#previous = { time, counters };
    this.#latestCounters = counters;
    if (previous === undefined || time <= previous.time) return;
    const seconds = time - previous.time;
    const length = this.#times.length;
    this.#times.push(time);
    for (const [name, now] of counters) {
      let series = this.#series.get(name);
      if (series === undefined) {
        const gap = (): (number | null)[] => new Array<number | null>(length).fill(null);
        series = { rate: gap(), errors: gap(), p50: gap(), p99: gap() };
        this.#series.set(name, series);
      }
      const point = pointOf(now, previous.counters.get(name), seconds);
      series.rate.push(point.rate);
      series.errors.push(point.errors);
      series.p50.push(point.p50);
      series.p99.push(point.p99);
    }
    for (const [name, series] of this.#series) {
      if (!counters.has(name)) for (const values of columnsOf(series)) values.push(null);
    }
    if (this.#times.length > this.#capacity) {
      this.#times.shift();
      for (const series of this.#series.values()) {
        for (const values of columnsOf(series)) values.shift();
      }
    }
  }

  /** Names with any points, sorted. */
  models(): string[] {
    return [...this.#series.keys()].sort();
  }

  series(name: string): TrafficSeries | undefined {
    return this.#series.get(name);
  }

  /** The cumulative counts of the last scrape. */
  totals(name: string): ModelCounters | undefined {
    return this.#latestCounters.get(name);
  }
}
