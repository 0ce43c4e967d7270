import { ServingError, StatusCode } from './status.js';

/** A `parameters` value of a repository request, as either transport decodes it. */
export type ModelControlParameter = string | number | bigint | boolean | Uint8Array;

const kindOf = (value: ModelControlParameter): string =>
  value instanceof Uint8Array ? 'bytes' : typeof value;

/**
 * The `parameters` of a load or unload request (Triton's repository extension), checked once
 * for both transports. Load takes `config` (an OVMS model config object as JSON text); unload
 * takes Triton's `unload_dependents`, which changes nothing here: a pipeline is never unloaded
 * with a model. Triton's `file:` overrides and any other key are INVALID_ARGUMENT.
 */
export function readControlParameters(
  action: 'load' | 'unload',
  parameters: Iterable<readonly [string, ModelControlParameter]>,
): { readonly config?: string } {
  let config: string | undefined;
  for (const [key, value] of parameters) {
    if (action === 'load' && key === 'config') {
      if (typeof value !== 'string')
        throw new ServingError(
          StatusCode.INVALID_ARGUMENT,
          `parameters.config: expected a string of JSON; got ${kindOf(value)}`,
        );
      config = value;
    } else if (action === 'unload' && key === 'unload_dependents') {
      if (typeof value !== 'boolean')
        throw new ServingError(
          StatusCode.INVALID_ARGUMENT,
          `parameters.unload_dependents: expected a boolean; got ${kindOf(value)}`,
        );
    } else if (key.startsWith('file:')) {
      throw new ServingError(
        StatusCode.INVALID_ARGUMENT,
        `parameters.${key}: model files cannot be sent with a load; put them in the model repository`,
      );
    } else {
      throw new ServingError(
        StatusCode.INVALID_ARGUMENT,
        `unknown ${action} parameter ${JSON.stringify(key)}`,
      );
    }
  }
  return config === undefined ? {} : { config };
}
