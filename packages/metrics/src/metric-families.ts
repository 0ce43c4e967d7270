/**
 * The metric families OVMS exposes on `/metrics`, with its names, help texts and buckets
 * (OVMS `src/metric_config.hpp`, `src/model_metric_reporter.cpp`, `docs/metrics.md`).
 */

/** ovms-ts additions: dynamic batching (SPEC.md "Dynamic batching"); only batching models have series. */
const BATCHING_FAMILIES = ['ovms_batch_size', 'ovms_batch_queue_delay_us'] as const;

/** ovms-ts additions for text generation (docs/metrics.md): OVMS has no families for these. */
const TEXT_GENERATION_FAMILIES = [
  'ovms_time_to_first_token_us',
  'ovms_time_per_output_token_us',
  'ovms_prompt_tokens',
  'ovms_generated_tokens',
  'ovms_kv_cache_usage_percent',
] as const;

/** Families this server produces, in the order the scrape lists them. */
export const METRIC_FAMILIES = [
  'ovms_requests_success',
  'ovms_requests_fail',
  'ovms_request_time_us',
  'ovms_inference_time_us',
  'ovms_wait_for_infer_req_time_us',
  'ovms_current_requests',
  'ovms_infer_req_queue_size',
  'ovms_infer_req_active',
  'ovms_streams',
  ...BATCHING_FAMILIES,
  ...TEXT_GENERATION_FAMILIES,
] as const;

export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** What `metrics_enable` alone turns on (OVMS `defaultMetricFamilies`, servable part). */
export const DEFAULT_METRIC_FAMILIES: readonly MetricFamily[] = [
  'ovms_requests_success',
  'ovms_requests_fail',
  'ovms_request_time_us',
  'ovms_inference_time_us',
  'ovms_wait_for_infer_req_time_us',
  'ovms_current_requests',
  'ovms_streams',
  // The additions have series only for the models that use them, so they cost others nothing.
  ...BATCHING_FAMILIES,
  ...TEXT_GENERATION_FAMILIES,
];

/**
 * MediaPipe graph families. OVMS accepts them in `metrics_list`; this server has no MediaPipe
 * graphs, so, like OVMS serving no graph, it accepts the names and exports nothing for them.
 * Accepting them keeps an OVMS config.json that lists them working unchanged.
 */
export const MEDIAPIPE_METRIC_FAMILIES = [
  'ovms_current_graphs',
  'ovms_requests_accepted',
  'ovms_requests_rejected',
  'ovms_responses',
  'ovms_graph_error',
  'ovms_graph_processing_time_us',
] as const;

/** Every name `metrics_list` accepts. */
export const SUPPORTED_METRIC_NAMES: readonly string[] = [
  ...METRIC_FAMILIES,
  ...MEDIAPIPE_METRIC_FAMILIES,
];

export const METRIC_HELP = {
  ovms_requests_success: 'Number of successful requests to a model or a DAG.',
  ovms_requests_fail: 'Number of failed requests to a model or a DAG.',
  ovms_request_time_us: 'Processing time of requests to a model or a DAG.',
  ovms_inference_time_us: 'Inference execution time in the OpenVINO backend.',
  ovms_wait_for_infer_req_time_us: 'Request waiting time in the scheduling queue.',
  ovms_current_requests: 'Number of inference requests currently in process.',
  ovms_infer_req_queue_size: 'Inference request queue size (nireq).',
  ovms_infer_req_active:
    'Number of currently consumed inference request from the processing queue.',
  ovms_streams: 'Number of OpenVINO execution streams.',
  ovms_batch_size: 'Rows in each batch the dynamic batcher ran.',
  ovms_batch_queue_delay_us: 'Time a request waited in the dynamic batching queue.',
  ovms_time_to_first_token_us: 'Time from a text generation request to its first token.',
  ovms_time_per_output_token_us: 'Time per generated token after the first.',
  ovms_prompt_tokens: 'Number of prompt tokens of text generation requests.',
  ovms_generated_tokens: 'Number of tokens generated.',
  ovms_kv_cache_usage_percent: 'KV cache in use by a text generation model, in percent.',
} as const satisfies Record<MetricFamily, string>;

/**
 * OVMS's histogram upper bounds in microseconds: floor(10 · 1.8^i) for i = 0…32, 10 µs up to
 * about 25 minutes. Computed as 10·9^i / 5^i in integers, so no rounding of `pow` can move a bound.
 */
export const TIME_BUCKETS_US: readonly number[] = Array.from({ length: 33 }, (_, i) =>
  Number((10n * 9n ** BigInt(i)) / 5n ** BigInt(i)),
);

/** Upper bounds of `ovms_batch_size`: powers of two up to 1024 rows. */
export const BATCH_SIZE_BUCKETS: readonly number[] = Array.from({ length: 11 }, (_, i) => 2 ** i);

/** `metrics_list` named a family OVMS does not have (OVMS: INVALID_METRICS_FAMILY_NAME). */
export class MetricsListError extends Error {
  override readonly name = 'MetricsListError';
  readonly invalidName: string;

  constructor(invalidName: string) {
    super(
      `Invalid name in metrics_list - ${JSON.stringify(invalidName)} is not a metric family; ` +
        `supported: ${SUPPORTED_METRIC_NAMES.join(', ')}`,
    );
    this.invalidName = invalidName;
  }
}

function isMetricFamily(name: string): name is MetricFamily {
  return (METRIC_FAMILIES as readonly string[]).includes(name);
}

/**
 * The families to register for a `metrics_list` (undefined = OVMS's default set; an empty
 * list enables none, as OVMS does). Throws `MetricsListError` at the first unknown name,
 * as OVMS fails its config on the first one.
 */
export function resolveMetricFamilies(
  enabledMetrics: readonly string[] | undefined,
): ReadonlySet<MetricFamily> {
  if (enabledMetrics === undefined) return new Set(DEFAULT_METRIC_FAMILIES);
  const enabled = new Set<MetricFamily>();
  for (const name of enabledMetrics) {
    if (isMetricFamily(name)) enabled.add(name);
    else if (!SUPPORTED_METRIC_NAMES.includes(name)) throw new MetricsListError(name);
  }
  return enabled;
}
