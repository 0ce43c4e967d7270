import {
  ServingError,
  StatusCode,
  readControlParameters,
  type ModelControl,
  type ModelControlParameter,
  type ModelVersionStatistics,
  type StatisticDuration,
} from '@ovms/core';
import { requestBytes, type RestContext, type RestDeps } from './context.js';
import { jsonResponse } from './errors.js';
import type { ModelPath } from './paths.js';

/**
 * Triton's model repository and statistics extensions over REST (its protocol/extension_*.md):
 * `POST /v2/repository/index`, `POST /v2/repository/models/{m}/load|unload`,
 * `GET /v2/models/stats`, `GET /v2/models/{m}[/versions/{v}]/stats`. Bodies are read as every
 * other route's (size limit, memory budget) and are optional; every key is checked.
 */

function control(deps: RestDeps): ModelControl {
  if (deps.modelControl === undefined)
    throw new ServingError(StatusCode.NOT_IMPLEMENTED, 'model control is not served here');
  return deps.modelControl;
}

/** The body as a JSON object; an empty body is `{}` (tritonclient sends none for the index). */
async function bodyObject(deps: RestDeps, c: RestContext): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await requestBytes(deps, c));
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ServingError(StatusCode.REST_BODY_NOT_JSON);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ServingError(StatusCode.REST_BODY_NOT_OBJECT);
  return body as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined)
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `unknown key ${JSON.stringify(unknown)}; expected ${allowed.join(' or ')}`,
    );
}

/** `POST /v2/repository/index`, body `{"ready": bool}` optional: a JSON array of entries. */
export async function repositoryIndex(deps: RestDeps, c: RestContext): Promise<Response> {
  const modelControl = control(deps);
  const body = await bodyObject(deps, c);
  onlyKeys(body, ['ready']);
  if (body['ready'] !== undefined && typeof body['ready'] !== 'boolean')
    throw new ServingError(StatusCode.INVALID_ARGUMENT, 'ready: expected a boolean');
  const entries = await modelControl.index({ ready: body['ready'] === true });
  return jsonResponse(JSON.stringify(entries));
}

/** `POST /v2/repository/models/{m}/load|unload`, body `{"parameters": {...}}` optional. */
export async function repositoryModel(
  deps: RestDeps,
  c: RestContext,
  path: { readonly action: 'load' | 'unload'; readonly name: string },
): Promise<Response> {
  const modelControl = control(deps);
  const body = await bodyObject(deps, c);
  onlyKeys(body, ['parameters']);
  const parameters = readControlParameters(path.action, parameterEntries(body['parameters']));
  if (path.action === 'load') await modelControl.load(path.name, parameters);
  else await modelControl.unload(path.name);
  return jsonResponse('');
}

function parameterEntries(value: unknown): [string, ModelControlParameter][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ServingError(StatusCode.INVALID_ARGUMENT, 'parameters: expected an object');
  return Object.entries(value).map(([key, item]) => {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean')
      throw new ServingError(
        StatusCode.INVALID_ARGUMENT,
        `parameters.${key}: expected a string, number or boolean`,
      );
    return [key, item];
  });
}

/** `GET /v2/models/stats` and `GET /v2/models/{m}[/versions/{v}]/stats`: Triton's JSON. */
export function modelStatistics(deps: RestDeps, path?: ModelPath<'stats'>): Response {
  const stats = control(deps).statistics(path?.name, path?.version);
  return jsonResponse(JSON.stringify({ model_stats: stats.map(statisticsJson) }));
}

const duration = (value: StatisticDuration) => ({ count: value.count, ns: value.ns });
const NONE = { count: 0, ns: 0 };

function statisticsJson(stats: ModelVersionStatistics): object {
  return {
    name: stats.name,
    version: String(stats.version),
    last_inference: stats.lastInference,
    inference_count: stats.inferenceCount,
    execution_count: stats.executionCount,
    inference_stats: {
      success: duration(stats.success),
      fail: duration(stats.fail),
      queue: duration(stats.queue),
      compute_input: duration(stats.computeInput),
      compute_infer: duration(stats.computeInfer),
      compute_output: duration(stats.computeOutput),
      cache_hit: NONE,
      cache_miss: NONE,
    },
    batch_stats: [],
  };
}
