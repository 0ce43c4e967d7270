import { TEXT_GENERATION_TASK, readConfigFile, toModelLoadOptions } from '@ovms/config';
import type { ModelConfig, ServerConfig } from '@ovms/config';
import { GENAI_ENGINE_NAME } from '@ovms/engine-genai';
import type { ConfigLoader, ManagerConfig, ModelDefinition } from '@ovms/lifecycle';
import type { ServedPipeline } from './pipelines.js';

export interface ManagerConfigOptions {
  /** `--cache_dir`: the compiled-model cache engines may use. */
  readonly cacheDir?: string;
}

/**
 * Maps the parsed config.json (or single-model flags) to what the model manager serves.
 * Pipelines are handed over opaque, with the config's custom node libraries: the manager
 * decides when to (re)build them and the app's DAG factory (pipelines.ts) builds them.
 */
export function toManagerConfig(
  config: ServerConfig,
  options: ManagerConfigOptions = {},
): ManagerConfig<ServedPipeline> {
  return {
    models: config.models.map((model) => toModelDefinition(model, options)),
    pipelines: config.pipelines.map((pipeline) => ({
      name: pipeline.name,
      definition: { pipeline, libraries: config.customNodeLibraries },
    })),
  };
}

/** One model of config.json, the flags or the model repository, as the manager serves it. */
export function toModelDefinition(
  model: ModelConfig,
  options: ManagerConfigOptions = {},
): ModelDefinition {
  const loadOptionsOptions = options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir };
  return {
    name: model.name,
    basePath: model.basePath,
    versionPolicy: model.versionPolicy,
    loadOptions: toModelLoadOptions(model, loadOptionsOptions),
    ...(model.engine !== undefined && { engine: model.engine }),
    ...(model.dynamicBatching !== undefined && { dynamicBatching: model.dynamicBatching }),
    // OVMS's task picks the engine: text generation runs only on OpenVINO GenAI.
    ...(model.task === TEXT_GENERATION_TASK && { engine: GENAI_ENGINE_NAME }),
  };
}

/** Re-reads `--config_path` for the manager at start, every poll and on reload requests. */
export function configFileLoader(
  path: string,
  options: ManagerConfigOptions = {},
): ConfigLoader<ServedPipeline> {
  return async () => {
    const file = await readConfigFile(path);
    return { hash: file.hash, config: toManagerConfig(file.config, options) };
  };
}
