import { ANONYMOUS_INPUT_NAME, type ModelLoadOptions } from './engine.js';
import { ServingError, StatusCode } from './status.js';

/**
 * Gives a `shape` or `layout` set without an input name (`--shape (1,1024)`, `"layout":
 * "NHWC:NCHW"`) to the model's only input, as OVMS does; `--shape auto` applies to every input
 * (a shape named for an input wins). Any other unnamed value on a model with several inputs is
 * refused, naming them, so the user can write the per-input form. Engines call this once they
 * know the model's inputs; options without the anonymous key come back as they are.
 */
export function resolveAnonymousInput(
  options: ModelLoadOptions,
  inputNames: readonly string[],
): ModelLoadOptions {
  const shape = options.shape?.[ANONYMOUS_INPUT_NAME];
  const layout = options.layout?.[ANONYMOUS_INPUT_NAME];
  if (shape === undefined && layout === undefined) return options;
  if (shape === 'auto' && layout === undefined) {
    const named = Object.fromEntries(
      Object.entries(options.shape ?? {}).filter(([key]) => key !== ANONYMOUS_INPUT_NAME),
    );
    const every = Object.fromEntries(inputNames.map((name) => [name, shape] as const));
    return { ...options, shape: { ...every, ...named } };
  }
  const [only, ...others] = inputNames;
  if (only === undefined || others.length > 0) {
    const setting = shape !== undefined ? 'shape' : 'layout';
    throw new ServingError(
      shape !== undefined ? StatusCode.RESHAPE_ERROR : StatusCode.INVALID_ARGUMENT,
      `a ${setting} without an input name needs a model with one input; this one has ${inputNames.length}: ${inputNames.join(', ')}; name the input, e.g. {"${only ?? 'input'}": ...}`,
    );
  }
  return {
    ...options,
    ...(shape !== undefined ? { shape: rename(options.shape ?? {}, only) } : {}),
    ...(layout !== undefined ? { layout: rename(options.layout ?? {}, only) } : {}),
  };
}

function rename<T>(settings: Readonly<Record<string, T>>, name: string): Record<string, T> {
  const renamed: Record<string, T> = {};
  for (const [key, value] of Object.entries(settings)) {
    renamed[key === ANONYMOUS_INPUT_NAME ? name : key] = value;
  }
  return renamed;
}
