import { describe, expect, it } from 'vitest';
import { parseBatchSize, parsePluginConfig, parseVersionPolicy } from './model-settings.js';

describe('parseBatchSize', () => {
  it.each([
    [8, 8],
    ['16', 16],
    [' 4 ', 4],
    ['auto', 'auto'],
    [0, undefined],
    ['0', undefined],
  ])('%j → %j', (input, value) => {
    expect(parseBatchSize(input)).toEqual({ ok: true, value });
  });

  it.each([-1, 1.5, '-1', '1:8', 'AUTO', 'x', null, true])('%j is refused', (input) => {
    expect(parseBatchSize(input)).toEqual({
      ok: false,
      message: `invalid batch size ${JSON.stringify(input)} - expected a non-negative integer or "auto"`,
    });
  });
});

describe('parseVersionPolicy', () => {
  it.each([
    [{ all: {} }, { kind: 'all' }],
    [{ latest: { num_versions: 3 } }, { kind: 'latest', numVersions: 3 }],
    [{ specific: { versions: [3, 1, 3] } }, { kind: 'specific', versions: [1, 3] }],
    ['{"latest": {"num_versions": 2}}', { kind: 'latest', numVersions: 2 }],
  ])('%j', (input, value) => {
    expect(parseVersionPolicy(input)).toEqual({ ok: true, value });
  });

  const expected =
    'expected exactly one of {"all": {}}, {"latest": {"num_versions": N}}, {"specific": {"versions": [...]}}';
  it.each([
    [{}, `invalid model_version_policy {} - ${expected}`],
    [[], `invalid model_version_policy [] - ${expected}`],
    [
      { all: {}, latest: { num_versions: 1 } },
      `invalid model_version_policy {"all":{},"latest":{"num_versions":1}} - ${expected}`,
    ],
    [
      { newest: {} },
      `invalid model_version_policy {"newest":{}} - unknown policy "newest"; ${expected}`,
    ],
    [
      { all: { x: 1 } },
      'invalid model_version_policy {"all":{"x":1}} - "all" takes an empty object',
    ],
    [
      { latest: { num_versions: -1 } },
      'invalid model_version_policy {"latest":{"num_versions":-1}} - "latest" takes {"num_versions": N} with N a positive integer',
    ],
    [
      { latest: { num_versions: 1, x: 2 } },
      'invalid model_version_policy {"latest":{"num_versions":1,"x":2}} - "latest" takes {"num_versions": N} with N a positive integer',
    ],
    [
      { specific: { versions: [1, 0] } },
      'invalid model_version_policy {"specific":{"versions":[1,0]}} - "specific" takes {"versions": [...]} with positive integer versions',
    ],
    [
      { specific: { versions: '1' } },
      'invalid model_version_policy {"specific":{"versions":"1"}} - "specific" takes {"versions": [...]} with positive integer versions',
    ],
    ['[1]', 'model_version_policy must be a JSON object; got [1]'],
  ])('%j is refused', (input, message) => {
    expect(parseVersionPolicy(input)).toEqual({ ok: false, message });
  });
});

describe('parsePluginConfig', () => {
  it('accepts string, number and boolean values, as an object or JSON text', () => {
    const value = { PERFORMANCE_HINT: 'LATENCY', NUM_STREAMS: 2, PINNING: false };
    expect(parsePluginConfig(value)).toEqual({ ok: true, value });
    expect(parsePluginConfig(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it.each([
    [{ A: null }, 'plugin_config value of "A" must be a string, number or boolean; got null'],
    [
      { A: { b: 1 } },
      'plugin_config value of "A" must be a string, number or boolean; got {"b":1}',
    ],
    [3, 'invalid plugin_config 3 - expected an object like {"PERFORMANCE_HINT": "LATENCY"}'],
    ['"x"', 'plugin_config must be a JSON object; got "x"'],
  ])('%j is refused', (input, message) => {
    expect(parsePluginConfig(input)).toEqual({ ok: false, message });
  });
});
