export { MetricsListError } from './metric-families.js';
export type { MetricFamily } from './metric-families.js';
export { createServingMetrics } from './serving-metrics.js';
export type {
  GenerationMetricsRecord,
  ModelUsage,
  ServingMetrics,
  ServingMetricsOptions,
} from './serving-metrics.js';
