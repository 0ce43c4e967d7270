import type { ServerConfig, ServerSettings } from '@ovms/config';
import { createServingMetrics } from '@ovms/metrics';
import type { ModelUsage, ServingMetrics } from '@ovms/metrics';

/** Whether metrics are on and which families, after merging flags with config.json. */
export interface MetricsSettings {
  readonly enable: boolean;
  /** Absent: OVMS's default families. */
  readonly metricsList?: readonly string[];
}

/**
 * `--metrics_enable` / `--metrics_list` override config.json's `monitoring.metrics` (OVMS lets
 * the flags override the file since 2023.0); without flags the file decides; without either,
 * metrics are off.
 */
export function resolveMetricsSettings(
  settings: Pick<ServerSettings, 'metricsEnable' | 'metricsList'>,
  config: ServerConfig,
): MetricsSettings {
  if (settings.metricsEnable) {
    return {
      enable: true,
      ...(settings.metricsList !== undefined && { metricsList: settings.metricsList }),
    };
  }
  const fromFile = config.monitoring?.metrics;
  if (fromFile === undefined || !fromFile.enable) return { enable: false };
  return {
    enable: true,
    ...(fromFile.metricsList !== undefined && { metricsList: fromFile.metricsList }),
  };
}

export interface CreateMetricsOptions {
  readonly settings: MetricsSettings;
  /** Whether the REST port is on: `/metrics` is served there. */
  readonly restEnabled: boolean;
  /** Loaded versions' infer-request usage for the gauges; absent: the gauges stay empty. */
  readonly usageSource?: () => Iterable<ModelUsage>;
}

/**
 * The Prometheus recorder, or undefined when metrics are off. An unknown family name throws
 * MetricsListError, and metrics without a REST port are refused, both at startup (OVMS).
 */
export function createMetrics(options: CreateMetricsOptions): ServingMetrics | undefined {
  if (!options.settings.enable) return undefined;
  if (!options.restEnabled)
    throw new Error('rest_port setting is missing, metrics are enabled on rest port');
  return createServingMetrics({
    ...(options.settings.metricsList !== undefined && {
      enabledMetrics: options.settings.metricsList,
    }),
    ...(options.usageSource !== undefined && { usageSource: options.usageSource }),
  });
}
