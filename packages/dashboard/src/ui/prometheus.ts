/** One model's cumulative counters, summed over versions and APIs. */
export interface ModelCounters {
  readonly success: number;
  readonly fail: number;
  /** Request time histogram: cumulative counts by upper bound in µs (`+Inf` included). */
  readonly buckets?: ReadonlyMap<number, number>;
  /** Total request time in ns, when only a sum is known (Triton statistics). */
  readonly totalNs?: number;
}

interface MutableCounters {
  success: number;
  fail: number;
  buckets?: Map<number, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(text: string | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  if (text === undefined) return labels;
  for (const match of text.matchAll(LABEL)) {
    const [, key, value] = match;
    if (key !== undefined && value !== undefined) {
      labels.set(
        key,
        value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
      );
    }
  }
  return labels;
}

/**
 * The per-model counters of an OVMS `/metrics` scrape (docs/metrics.md): requests from
 * `ovms_requests_success` and `ovms_requests_fail`, latency from the `ovms_request_time_us`
 * histogram. Every sample is summed by its `name` label, over versions, APIs and interfaces.
 */
export function parseServingMetrics(text: string): Map<string, ModelCounters> {
  const models = new Map<string, MutableCounters>();
  const model = (name: string): MutableCounters => {
    let entry = models.get(name);
    if (entry === undefined) models.set(name, (entry = { success: 0, fail: 0 }));
    return entry;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const [, metric, labelText, valueText] = match;
    const labels = labelsOf(labelText);
    const name = labels.get('name');
    const value = Number(valueText);
    if (name === undefined || !Number.isFinite(value)) continue;
    if (metric === 'ovms_requests_success') model(name).success += value;
    else if (metric === 'ovms_requests_fail') model(name).fail += value;
    else if (metric === 'ovms_request_time_us_bucket') {
      // Prometheus writes the last bound `+Inf`, which Number() does not read.
      const bound = labels.get('le');
      const le = bound === '+Inf' ? Infinity : Number(bound);
      if (Number.isNaN(le)) continue;
      const entry = model(name);
      entry.buckets ??= new Map();
      entry.buckets.set(le, (entry.buckets.get(le) ?? 0) + value);
    }
  }
  return models;
}

/** `GET /v2/models/stats` in Triton's shape: the fields this page reads. */
export interface TritonStatistics {
  readonly model_stats?: readonly {
    readonly name: string;
    readonly inference_stats?: {
      readonly success?: { readonly count?: number | string; readonly ns?: number | string };
      readonly fail?: { readonly count?: number | string };
    };
  }[];
}

/**
 * The per-model counters of Triton's statistics, for a server without `/metrics`: counts and the
 * total request time, so a mean latency (no percentiles: Triton sends sums only).
 */
export function countersFromStatistics(stats: TritonStatistics): Map<string, ModelCounters> {
  const models = new Map<string, { success: number; fail: number; totalNs: number }>();
  for (const entry of stats.model_stats ?? []) {
    const sum = models.get(entry.name) ?? { success: 0, fail: 0, totalNs: 0 };
    sum.success += Number(entry.inference_stats?.success?.count ?? 0);
    sum.fail += Number(entry.inference_stats?.fail?.count ?? 0);
    sum.totalNs += Number(entry.inference_stats?.success?.ns ?? 0);
    models.set(entry.name, sum);
  }
  return models;
}
