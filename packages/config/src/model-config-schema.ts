import { z } from 'zod';
import {
  DEFAULT_VERSION_POLICY,
  parseBatchSize,
  parsePluginConfig,
  parseVersionPolicy,
} from './model-settings.js';
import { parseDynamicBatching } from './dynamic-batching.js';
import type { ModelConfig } from './server-config.js';
import { parseLayoutSetting, parseShapeSetting } from './shape-layout.js';
import { nonNegativeInt, setting, unsupported } from './zod-settings.js';

/** OVMS's default target device. */
export const DEFAULT_TARGET_DEVICE = 'CPU';

export const STATEFUL_ONLY_MESSAGE =
  'Setting low_latency_transformation, max_sequence_number and idle_sequence_cleanup require setting stateful flag for the model.';

/** One `model_config_list[].config` object with every OVMS model key (plus `engine`). */
export const modelConfigBodySchema = z
  .strictObject({
    name: z.string().min(1),
    base_path: z.string().min(1),
    batch_size: setting(parseBatchSize),
    shape: setting(parseShapeSetting),
    layout: setting(parseLayoutSetting),
    model_version_policy: setting(parseVersionPolicy),
    nireq: nonNegativeInt.optional(),
    target_device: z.string().optional(),
    plugin_config: setting(parsePluginConfig),
    allow_cache: z.boolean().optional(),
    stateful: z.boolean().optional(),
    low_latency_transformation: z.boolean().optional(),
    idle_sequence_cleanup: z.boolean().optional(),
    max_sequence_number: nonNegativeInt.optional(),
    // Built-in names or a plugin's: an engine nobody registered fails the version's load.
    engine: z.string().min(1).optional(),
    // ovms-ts extension (Triton's key): join concurrent requests into batches.
    dynamic_batching: setting(parseDynamicBatching),
    custom_loader_options: unsupported('custom_loader_options'),
    graph_path: unsupported('graph_path (MediaPipe)'),
    subconfig: unsupported('subconfig (MediaPipe)'),
  })
  .superRefine((raw, ctx) => {
    // OVMS refuses the stateful-only keys on a stateless model rather than ignoring them.
    const statefulOnly =
      raw.low_latency_transformation !== undefined ||
      raw.max_sequence_number !== undefined ||
      raw.idle_sequence_cleanup !== undefined;
    if (statefulOnly && raw.stateful !== true)
      ctx.addIssue({ code: 'custom', message: STATEFUL_ONLY_MESSAGE, path: ['stateful'] });
  });

/** A validated model entry, minus the OVMS keys ovms-ts refuses (always absent once valid). */
export type RawModelConfig = Omit<
  z.output<typeof modelConfigBodySchema>,
  'custom_loader_options' | 'graph_path' | 'subconfig'
>;

export const modelConfigEntrySchema = z.strictObject({ config: modelConfigBodySchema });

/**
 * Builds the typed ModelConfig from a validated raw entry, filling OVMS defaults (latest 1,
 * CPU, nireq 0, idle_sequence_cleanup true) and resolving base_path with `resolvePath`.
 */
export function toModelConfig(
  raw: RawModelConfig,
  resolvePath: (path: string) => string,
): ModelConfig {
  return {
    name: raw.name,
    basePath: resolvePath(raw.base_path),
    ...(raw.batch_size !== undefined && { batchSize: raw.batch_size }),
    ...(raw.shape !== undefined && { shape: raw.shape }),
    ...(raw.layout !== undefined && { layout: raw.layout }),
    versionPolicy: raw.model_version_policy ?? DEFAULT_VERSION_POLICY,
    nireq: raw.nireq ?? 0,
    targetDevice: raw.target_device ?? DEFAULT_TARGET_DEVICE,
    pluginConfig: raw.plugin_config ?? {},
    ...(raw.allow_cache !== undefined && { allowCache: raw.allow_cache }),
    stateful: raw.stateful ?? false,
    lowLatencyTransformation: raw.low_latency_transformation ?? false,
    idleSequenceCleanup: raw.idle_sequence_cleanup ?? true,
    ...(raw.max_sequence_number !== undefined && { maxSequenceNumber: raw.max_sequence_number }),
    ...(raw.engine !== undefined && { engine: raw.engine }),
    ...(raw.dynamic_batching !== undefined && { dynamicBatching: raw.dynamic_batching }),
  };
}
