export {
  DEFAULT_METRIC_FAMILIES,
  MEDIAPIPE_METRIC_FAMILIES,
  METRIC_FAMILIES,
  METRIC_HELP,
  MetricsListError,
  SUPPORTED_METRIC_NAMES,
  TIME_BUCKETS_US,
  resolveMetricFamilies,
} from './metric-families.js';
export type { MetricFamily } from './metric-families.js';
export { createServingMetrics } from './serving-metrics.js';
export type { ModelUsage, ServingMetrics, ServingMetricsOptions } from './serving-metrics.js';
