import type { PluginConfigValue, VersionPolicy } from './server-config.js';
import { isPlainObject, parseJsonObject } from './shape-layout.js';
import { fail, ok, show } from './setting-result.js';
import type { SettingResult } from './setting-result.js';

/** The OVMS default version policy: serve the highest version only. */
export const DEFAULT_VERSION_POLICY: VersionPolicy = { kind: 'latest', numVersions: 1 };

/**
 * `batch_size`: a non-negative integer, `"auto"`, or the integer as a string (OVMS reads it as a
 * string). `0` means "keep the model's batch size", as in OVMS, and yields undefined.
 */
export function parseBatchSize(value: unknown): SettingResult<number | 'auto' | undefined> {
  let n: number | undefined;
  if (value === 'auto') return ok('auto');
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value);
  if (n === undefined || !Number.isSafeInteger(n) || n < 0)
    return fail(`invalid batch size ${show(value)} - expected a non-negative integer or "auto"`);
  return ok(n === 0 ? undefined : n);
}

/**
 * `model_version_policy`: exactly one of `{"all": {}}`, `{"latest": {"num_versions": N}}`,
 * `{"specific": {"versions": [...]}}` with N and versions positive integers (OVMS schema);
 * also accepted as a JSON string, as the CLI passes it.
 */
export function parseVersionPolicy(value: unknown): SettingResult<VersionPolicy> {
  if (typeof value === 'string') {
    const parsed = parseJsonObject(value, 'model_version_policy');
    return parsed.ok ? parseVersionPolicy(parsed.value) : parsed;
  }
  const expected =
    'expected exactly one of {"all": {}}, {"latest": {"num_versions": N}}, {"specific": {"versions": [...]}}';
  if (!isPlainObject(value))
    return fail(`invalid model_version_policy ${show(value)} - ${expected}`);
  const keys = Object.keys(value);
  const [kind] = keys;
  if (keys.length !== 1 || kind === undefined)
    return fail(`invalid model_version_policy ${show(value)} - ${expected}`);
  const body = value[kind];
  switch (kind) {
    case 'all':
      if (!isPlainObject(body) || Object.keys(body).length > 0)
        return fail(`invalid model_version_policy ${show(value)} - "all" takes an empty object`);
      return ok({ kind: 'all' });
    case 'latest': {
      const n =
        isPlainObject(body) && Object.keys(body).length === 1 ? body['num_versions'] : undefined;
      if (!isPositiveInteger(n))
        return fail(
          `invalid model_version_policy ${show(value)} - "latest" takes {"num_versions": N} with N a positive integer`,
        );
      return ok({ kind: 'latest', numVersions: n });
    }
    case 'specific': {
      const versions =
        isPlainObject(body) && Object.keys(body).length === 1 ? body['versions'] : undefined;
      if (!Array.isArray(versions) || !versions.every(isPositiveInteger))
        return fail(
          `invalid model_version_policy ${show(value)} - "specific" takes {"versions": [...]} with positive integer versions`,
        );
      return ok({ kind: 'specific', versions: [...new Set(versions)].sort((a, b) => a - b) });
    }
    default:
      return fail(
        `invalid model_version_policy ${show(value)} - unknown policy "${kind}"; ${expected}`,
      );
  }
}

/**
 * `plugin_config`: an object whose values are strings, numbers or booleans (OVMS schema), or
 * that object as a JSON string (the CLI form; OVMS documents plugin_config as json/string).
 */
export function parsePluginConfig(
  value: unknown,
): SettingResult<Record<string, PluginConfigValue>> {
  if (typeof value === 'string') {
    const parsed = parseJsonObject(value, 'plugin_config');
    return parsed.ok ? parsePluginConfig(parsed.value) : parsed;
  }
  if (!isPlainObject(value))
    return fail(
      `invalid plugin_config ${show(value)} - expected an object like {"PERFORMANCE_HINT": "LATENCY"}`,
    );
  const out: Record<string, PluginConfigValue> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean')
      return fail(
        `plugin_config value of ${show(key)} must be a string, number or boolean; got ${show(entry)}`,
      );
    out[key] = entry;
  }
  return ok(out);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
