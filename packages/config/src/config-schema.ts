import { z } from 'zod';
import { modelConfigEntrySchema, toModelConfig } from './model-config-schema.js';
import {
  customNodeLibrarySchema,
  pipelineSchema,
  toCustomNodeLibraryConfig,
  toPipelineConfig,
} from './pipeline-schema.js';
import type { ServerConfig } from './server-config.js';
import { unsupported } from './zod-settings.js';

/** The whole OVMS config.json, strict at every level (an unknown key is an error). */
export const configFileSchema = z.strictObject({
  model_config_list: z.array(modelConfigEntrySchema),
  pipeline_config_list: z.array(pipelineSchema).optional(),
  custom_node_library_config_list: z.array(customNodeLibrarySchema).optional(),
  monitoring: z
    .strictObject({
      metrics: z.strictObject({
        enable: z.boolean(),
        metrics_list: z.array(z.string()).optional(),
      }),
    })
    .optional(),
  plugins: z.array(z.string().min(1)).optional(),
  custom_loader_config_list: unsupported('custom_loader_config_list'),
  mediapipe_config_list: unsupported('mediapipe_config_list'),
});

export type RawConfigFile = z.output<typeof configFileSchema>;

/** A `config.json` as its author writes it (before defaults), for callers that pass it as an object. */
export type ConfigJson = z.input<typeof configFileSchema>;

/**
 * Builds the typed ServerConfig from a validated config file; `resolvePath` handles base_path,
 * `resolveFile` the plugin module paths (local files only, relative to the config file).
 */
export function toServerConfig(
  raw: RawConfigFile,
  resolvePath: (path: string) => string,
  resolveFile: (path: string) => string = resolvePath,
): ServerConfig {
  const metrics = raw.monitoring?.metrics;
  return {
    models: raw.model_config_list.map((entry) => toModelConfig(entry.config, resolvePath)),
    pipelines: (raw.pipeline_config_list ?? []).map(toPipelineConfig),
    customNodeLibraries: (raw.custom_node_library_config_list ?? []).map((library) =>
      toCustomNodeLibraryConfig(library, resolvePath),
    ),
    ...(raw.plugins && { plugins: raw.plugins.map(resolveFile) }),
    ...(metrics && {
      monitoring: {
        metrics: {
          enable: metrics.enable,
          ...(metrics.metrics_list && { metricsList: metrics.metrics_list }),
        },
      },
    }),
  };
}
