import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { INFERENCE_METHODS } from '@ovms/core';
import type { BatchRecord, InferenceRecord, MetricsRecorder, RequestRecord } from '@ovms/core';
import {
  BATCH_SIZE_BUCKETS,
  METRIC_HELP,
  TIME_BUCKETS_US,
  resolveMetricFamilies,
  type MetricFamily,
} from './metric-families.js';

/** One loaded model version's infer-request pool, read at scrape time for the gauges. */
export interface ModelUsage {
  readonly name: string;
  readonly version: number;
  /** Infer requests running now (`ovms_infer_req_active`). */
  readonly active: number;
  /** Requests waiting for a free infer request. */
  readonly queued: number;
  /** OpenVINO execution streams (`ovms_streams`); no series when absent. */
  readonly streams?: number;
  /** Pool size (`ovms_infer_req_queue_size`, which OVMS sets to nireq); no series when absent. */
  readonly nireq?: number;
  /** A text-generation model's KV cache in use, percent; no series when absent. */
  readonly kvCacheUsage?: number;
}

/** One finished text-generation request (`/v3`), for the token and latency families. */
export interface GenerationMetricsRecord {
  readonly name: string;
  readonly version: number;
  readonly ok: boolean;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Arrival to first generated text; absent when none came. */
  readonly firstTokenUs?: number;
  readonly durationUs: number;
}

export interface ServingMetricsOptions {
  /** From `--metrics_list` / `monitoring.metrics.metrics_list`; undefined = OVMS's default set. */
  readonly enabledMetrics?: readonly string[];
  /** Called once per scrape; the gauges show exactly the versions it yields. */
  readonly usageSource?: () => Iterable<ModelUsage>;
}

/** A MetricsRecorder that renders the Prometheus text format OVMS serves on `/metrics`. */
export interface ServingMetrics extends MetricsRecorder {
  /** Dynamic batches: `ovms_batch_size` and `ovms_batch_queue_delay_us`. */
  batchDone(record: BatchRecord): void;
  /** The `Content-Type` of `text()`. */
  readonly contentType: string;
  /** The exposition text, with the gauges read from `usageSource` now. */
  text(): Promise<string>;
  /** Counts a text-generation request's tokens and times its first and later tokens. */
  generationDone(record: GenerationMetricsRecord): void;
}

// Labels are written in alphabetical order because the output keeps insertion order and OVMS's
// (prometheus-cpp) output is sorted; scrapers do not care, people diffing the two do.
const REQUEST_LABELS = ['api', 'interface', 'method', 'name', 'version'] as const;
const REQUEST_TIME_LABELS = ['interface', 'name', 'version'] as const;
const MODEL_LABELS = ['name', 'version'] as const;

/**
 * The series OVMS creates, at zero, when a model version loads (its ModelMetricReporter), so a
 * dashboard's rate() has a baseline before the first request. Status calls carry no version.
 */
const OVMS_REQUEST_SERIES = (['gRPC', 'REST'] as const).flatMap((iface) => [
  { api: 'TensorFlowServing', interface: iface, method: 'Predict', versioned: true },
  { api: 'TensorFlowServing', interface: iface, method: 'GetModelMetadata', versioned: true },
  { api: 'TensorFlowServing', interface: iface, method: 'GetModelStatus', versioned: false },
  { api: 'KServe', interface: iface, method: 'ModelInfer', versioned: true },
  { api: 'KServe', interface: iface, method: 'ModelMetadata', versioned: true },
  { api: 'KServe', interface: iface, method: 'ModelReady', versioned: false },
]);

type LabelNames<T extends readonly string[]> = T[number];

class PromServingMetrics implements ServingMetrics {
  readonly #registry = new Registry();
  readonly #usageSource: (() => Iterable<ModelUsage>) | undefined;
  readonly #seeded = new Set<string>();
  readonly #success: Counter<LabelNames<typeof REQUEST_LABELS>> | undefined;
  readonly #fail: Counter<LabelNames<typeof REQUEST_LABELS>> | undefined;
  readonly #requestTime: Histogram<LabelNames<typeof REQUEST_TIME_LABELS>> | undefined;
  readonly #inferenceTime: Histogram<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #waitTime: Histogram<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #currentRequests: Gauge<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #queueSize: Gauge<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #active: Gauge<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #streams: Gauge<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #batchSize: Histogram<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #batchQueueDelay: Histogram<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #kvCache: Gauge<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #firstToken: Histogram<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #perToken: Histogram<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #promptTokens: Counter<LabelNames<typeof MODEL_LABELS>> | undefined;
  readonly #generatedTokens: Counter<LabelNames<typeof MODEL_LABELS>> | undefined;

  constructor(families: ReadonlySet<MetricFamily>, usageSource?: () => Iterable<ModelUsage>) {
    this.#usageSource = usageSource;
    const registers = [this.#registry];
    const counter = <L extends string>(name: MetricFamily, labelNames: readonly L[]) =>
      families.has(name)
        ? new Counter<L>({ name, help: METRIC_HELP[name], labelNames, registers })
        : undefined;
    const histogram = <L extends string>(
      name: MetricFamily,
      labelNames: readonly L[],
      buckets: readonly number[] = TIME_BUCKETS_US,
    ) =>
      families.has(name)
        ? new Histogram<L>({
            name,
            help: METRIC_HELP[name],
            labelNames,
            buckets: [...buckets],
            registers,
          })
        : undefined;
    const gauge = (name: MetricFamily) =>
      families.has(name)
        ? new Gauge({ name, help: METRIC_HELP[name], labelNames: MODEL_LABELS, registers })
        : undefined;

    this.#success = counter('ovms_requests_success', REQUEST_LABELS);
    this.#fail = counter('ovms_requests_fail', REQUEST_LABELS);
    this.#requestTime = histogram('ovms_request_time_us', REQUEST_TIME_LABELS);
    this.#inferenceTime = histogram('ovms_inference_time_us', MODEL_LABELS);
    this.#waitTime = histogram('ovms_wait_for_infer_req_time_us', MODEL_LABELS);
    this.#currentRequests = gauge('ovms_current_requests');
    this.#queueSize = gauge('ovms_infer_req_queue_size');
    this.#active = gauge('ovms_infer_req_active');
    this.#streams = gauge('ovms_streams');
    this.#batchSize = histogram('ovms_batch_size', MODEL_LABELS, BATCH_SIZE_BUCKETS);
    this.#batchQueueDelay = histogram('ovms_batch_queue_delay_us', MODEL_LABELS);
    this.#kvCache = gauge('ovms_kv_cache_usage_percent');
    this.#firstToken = histogram('ovms_time_to_first_token_us', MODEL_LABELS);
    this.#perToken = histogram('ovms_time_per_output_token_us', MODEL_LABELS);
    this.#promptTokens = counter('ovms_prompt_tokens', MODEL_LABELS);
    this.#generatedTokens = counter('ovms_generated_tokens', MODEL_LABELS);
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  /**
   * Deliberately empty: OVMS labels `ovms_current_requests` by model {name, version}, which is
   * unknown when a request arrives, so the gauge is read from `usageSource` (running + waiting
   * requests of each version, the span OVMS counts inside its model instance).
   */
  requestStarted(): void {}

  requestDone(record: RequestRecord): void {
    const version = record.version === undefined ? undefined : String(record.version);
    // Seeding zeroes a version's series, so it must happen before its first observation.
    if (version !== undefined) this.#seed({ name: record.name, version });
    const counter = record.ok ? this.#success : this.#fail;
    counter?.inc({
      api: record.api,
      interface: record.interface,
      method: record.method,
      name: record.name,
      ...(version !== undefined && { version }),
    });
    if (record.ok && INFERENCE_METHODS.has(record.method)) {
      this.#requestTime?.observe(
        {
          interface: record.interface,
          name: record.name,
          ...(version !== undefined && { version }),
        },
        record.durationUs,
      );
    }
  }

  inferenceDone(record: InferenceRecord): void {
    const labels = { name: record.name, version: String(record.version) };
    this.#seed(labels);
    this.#inferenceTime?.observe(labels, record.inferenceUs);
    this.#waitTime?.observe(labels, record.waitUs);
  }

  batchDone(record: BatchRecord): void {
    const labels = { name: record.name, version: String(record.version) };
    this.#seed(labels);
    this.#batchSize?.observe(labels, record.size);
    for (const us of record.queueDelaysUs) this.#batchQueueDelay?.observe(labels, us);
  }

  generationDone(record: GenerationMetricsRecord): void {
    const labels = { name: record.name, version: String(record.version) };
    this.#promptTokens?.inc(labels, record.promptTokens);
    this.#generatedTokens?.inc(labels, record.completionTokens);
    if (!record.ok || record.firstTokenUs === undefined) return;
    this.#firstToken?.observe(labels, record.firstTokenUs);
    // Time per output token after the first, as GenAI's TPOT: the decode speed a client sees.
    if (record.completionTokens > 1)
      this.#perToken?.observe(
        labels,
        (record.durationUs - record.firstTokenUs) / (record.completionTokens - 1),
      );
  }

  async text(): Promise<string> {
    if (this.#usageSource) this.#collectUsage(this.#usageSource());
    return this.#registry.metrics();
  }

  #collectUsage(usage: Iterable<ModelUsage>): void {
    // Reset first so a version that was unloaded since the last scrape leaves the gauges.
    const gauges = [
      this.#currentRequests,
      this.#queueSize,
      this.#active,
      this.#streams,
      this.#kvCache,
    ];
    for (const g of gauges) {
      g?.reset();
    }
    for (const model of usage) {
      const labels = { name: model.name, version: String(model.version) };
      this.#seed(labels);
      this.#currentRequests?.set(labels, model.active + model.queued);
      this.#active?.set(labels, model.active);
      if (model.nireq !== undefined) this.#queueSize?.set(labels, model.nireq);
      if (model.streams !== undefined) this.#streams?.set(labels, model.streams);
      if (model.kvCacheUsage !== undefined) this.#kvCache?.set(labels, model.kvCacheUsage);
    }
  }

  /** Creates a version's zero series once, as OVMS does when the version loads. */
  #seed(labels: { readonly name: string; readonly version: string }): void {
    const key = `${labels.name}\n${labels.version}`;
    if (this.#seeded.has(key)) return;
    this.#seeded.add(key);
    for (const series of OVMS_REQUEST_SERIES) {
      const requestLabels = {
        api: series.api,
        interface: series.interface,
        method: series.method,
        name: labels.name,
        ...(series.versioned && { version: labels.version }),
      };
      this.#success?.inc(requestLabels, 0);
      this.#fail?.inc(requestLabels, 0);
    }
    for (const iface of ['gRPC', 'REST'] as const) {
      this.#requestTime?.zero({ interface: iface, ...labels });
    }
    this.#inferenceTime?.zero(labels);
    this.#waitTime?.zero(labels);
  }
}

/**
 * Creates the OVMS metric families on a registry of their own (never prom-client's global
 * one, so several servers in one process do not collide). Only the enabled families are
 * registered; an unknown name in `enabledMetrics` throws `MetricsListError` here, at startup.
 * Transports should report only requests that reached a servable, as OVMS does: a client
 * inventing model names must not be able to grow the series without bound.
 */
export function createServingMetrics(options: ServingMetricsOptions = {}): ServingMetrics {
  return new PromServingMetrics(resolveMetricFamilies(options.enabledMetrics), options.usageSource);
}
