import { z } from 'zod';
import {
  DEFAULT_VERSION_POLICY,
  parseBatchSize,
  parsePluginConfig,
  parseVersionPolicy,
} from './model-settings.js';
import { parseDynamicBatching } from './dynamic-batching.js';
import type { ModelConfig, TextGenerationSettings } from './server-config.js';
import { parseLayoutSetting, parseShapeSetting } from './shape-layout.js';
import { nonNegativeInt, setting, unsupported } from './zod-settings.js';

/** OVMS's default target device. */
export const DEFAULT_TARGET_DEVICE = 'CPU';

export const STATEFUL_ONLY_MESSAGE =
  'Setting low_latency_transformation, max_sequence_number and idle_sequence_cleanup require setting stateful flag for the model.';

/** OVMS's `task` of an LLM served through the OpenAI-compatible API (`/v3`). */
export const TEXT_GENERATION_TASK = 'text_generation';

const SCHEDULER_KEYS = [
  'max_num_seqs',
  'max_num_batched_tokens',
  'cache_size',
  'enable_prefix_caching',
] as const;

export const TEXT_GENERATION_ONLY_MESSAGE =
  'Scheduler settings (max_num_seqs, max_num_batched_tokens, cache_size, enable_prefix_caching) require "task": "text_generation".';

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
    // Text generation (SPEC "Text generation"): OVMS's task name and scheduler keys.
    task: z.literal(TEXT_GENERATION_TASK).optional(),
    max_num_seqs: z.number().int().min(1).optional(),
    max_num_batched_tokens: z.number().int().min(1).optional(),
    cache_size: z.number().int().min(0).optional(),
    enable_prefix_caching: z.boolean().optional(),
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
    for (const key of SCHEDULER_KEYS)
      if (raw[key] !== undefined && raw.task !== TEXT_GENERATION_TASK)
        ctx.addIssue({ code: 'custom', message: TEXT_GENERATION_ONLY_MESSAGE, path: [key] });
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
    ...(raw.task !== undefined && { task: raw.task, textGeneration: schedulerOf(raw) }),
  };
}

function schedulerOf(raw: RawModelConfig): TextGenerationSettings {
  return {
    ...(raw.max_num_seqs !== undefined && { maxNumSeqs: raw.max_num_seqs }),
    ...(raw.max_num_batched_tokens !== undefined && {
      maxNumBatchedTokens: raw.max_num_batched_tokens,
    }),
    ...(raw.cache_size !== undefined && { cacheSize: raw.cache_size }),
    ...(raw.enable_prefix_caching !== undefined && {
      enablePrefixCaching: raw.enable_prefix_caching,
    }),
  };
}
