import type { ModelLoadOptions } from '@ovms/core';
import type { ModelConfig } from './server-config.js';

export interface ToLoadOptionsOptions {
  /** Server `--cache_dir`; absent means no model cache. */
  readonly cacheDir?: string;
}

/**
 * Maps a ModelConfig to the core ModelLoadOptions an engine applies. Shapes and layouts keep
 * their keys, so a bare one stays under ANONYMOUS_INPUT_NAME for the engine to apply to the
 * single input; range dims (`1:10`) stay `{min, max}` for the engine to bound. The cache is
 * used, as in OVMS, unless `allow_cache` is false or the model reshapes per request (`auto`
 * batch or shape), which `allow_cache: true` overrides.
 */
export function toModelLoadOptions(
  model: ModelConfig,
  options: ToLoadOptionsOptions = {},
): ModelLoadOptions {
  const reshapesPerRequest =
    model.batchSize === 'auto' || Object.values(model.shape ?? {}).includes('auto');
  const useCache = options.cacheDir !== undefined && (model.allowCache ?? !reshapesPerRequest);
  return {
    ...(model.shape && { shape: model.shape }),
    ...(model.batchSize !== undefined && { batchSize: model.batchSize }),
    ...(model.layout && { layout: model.layout }),
    targetDevice: model.targetDevice,
    ...(Object.keys(model.pluginConfig).length > 0 && { pluginConfig: model.pluginConfig }),
    nireq: model.nireq,
    ...(model.textGeneration !== undefined && { textGeneration: model.textGeneration }),
    ...(useCache && options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
  };
}
