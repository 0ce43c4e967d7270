import type { ModelLoadOptions } from '@ovms/core';
import type { ModelConfig, ShapeSetting } from './server-config.js';

export interface ToLoadOptionsOptions {
  /** Server `--cache_dir`; absent means no model cache. */
  readonly cacheDir?: string;
}

/**
 * Maps a ModelConfig to the core ModelLoadOptions an engine applies. Shapes and layouts keep
 * their keys, so a bare one stays under ANONYMOUS_INPUT_NAME for the engine to apply to the
 * single input. Range dimensions (`1:10`) become -1: core shapes carry no bounds. The cache is
 * used, as in OVMS, unless `allow_cache` is false or the model reshapes per request (`auto`
 * batch or shape), which `allow_cache: true` overrides.
 */
export function toModelLoadOptions(
  model: ModelConfig,
  options: ToLoadOptionsOptions = {},
): ModelLoadOptions {
  const shape = model.shape && mapValues(model.shape, toCoreShape);
  const reshapesPerRequest =
    model.batchSize === 'auto' || Object.values(model.shape ?? {}).includes('auto');
  const useCache = options.cacheDir !== undefined && (model.allowCache ?? !reshapesPerRequest);
  return {
    ...(shape && { shape }),
    ...(model.batchSize !== undefined && { batchSize: model.batchSize }),
    ...(model.layout && { layout: model.layout }),
    targetDevice: model.targetDevice,
    ...(Object.keys(model.pluginConfig).length > 0 && { pluginConfig: model.pluginConfig }),
    nireq: model.nireq,
    ...(model.textGeneration !== undefined && { textGeneration: model.textGeneration }),
    ...(useCache && options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
  };
}

function toCoreShape(setting: ShapeSetting): readonly number[] | 'auto' {
  if (setting === 'auto') return 'auto';
  return setting.map((dim) => (typeof dim === 'number' ? dim : -1));
}

function mapValues<A, B>(
  record: Readonly<Record<string, A>>,
  fn: (value: A) => B,
): Record<string, B> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
