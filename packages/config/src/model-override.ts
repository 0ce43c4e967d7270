import { ServingError, StatusCode } from '@ovms/core';
import { toConfigIssues } from './config-error.js';
import { describeJsonError } from './json-error.js';
import { modelConfigBodySchema, toModelConfig } from './model-config-schema.js';
import type { ModelConfig } from './server-config.js';

/** Where the override sits in a load request: Triton's `parameters.config`. */
const OVERRIDE_PATH = ['parameters', 'config'] as const;

export interface ModelOverrideTarget {
  /** The repository folder's name: the model's name. */
  readonly name: string;
  /** The repository folder: the model's base path. */
  readonly basePath: string;
}

const invalid = (detail: string): ServingError =>
  new ServingError(StatusCode.INVALID_ARGUMENT, detail);

/**
 * The ModelConfig of a model repository folder, with `text` (an OVMS model config object as
 * JSON, e.g. `{"model_version_policy": {"all": {}}}`; absent: OVMS defaults) applied. The
 * object is checked by the same zod schema as config.json's entries; `name` and `base_path`
 * come from the repository and may not be given. Throws INVALID_ARGUMENT listing every issue
 * with its JSON path (`parameters.config.nireq: expected a number; got "x"`).
 */
export function parseModelOverride(
  target: ModelOverrideTarget,
  text: string | undefined,
): ModelConfig {
  let override: unknown = {};
  if (text !== undefined) {
    try {
      override = JSON.parse(text);
    } catch {
      throw invalid(`parameters.config is not valid JSON - ${describeJsonError(text)}`);
    }
  }
  if (typeof override !== 'object' || override === null || Array.isArray(override))
    throw invalid('parameters.config: expected an OVMS model config object');
  const given = ['name', 'base_path'].filter((key) => key in override);
  if (given.length > 0)
    throw invalid(
      `parameters.config: ${given.join(' and ')} ${given.length === 1 ? 'comes' : 'come'} from the model repository and cannot be set`,
    );
  const result = modelConfigBodySchema.safeParse(
    { ...override, name: target.name, base_path: target.basePath },
    { reportInput: true },
  );
  if (!result.success) {
    const issues = toConfigIssues(
      result.error.issues.map((issue) => ({ ...issue, path: [...OVERRIDE_PATH, ...issue.path] })),
    );
    throw invalid(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  }
  return toModelConfig(result.data, (path) => path);
}
