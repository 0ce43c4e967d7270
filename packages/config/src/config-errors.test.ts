import { ServingError } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfigText } from './parse-config.js';

const at = { configPath: '/etc/ovms/config.json' };

function invalid(text: string): ServingError {
  try {
    parseConfigText(text, at);
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const model = (config: Record<string, unknown>) =>
  JSON.stringify({ model_config_list: [{ config: { name: 'm', base_path: '/m', ...config } }] });

describe('parseConfigText: schema errors (JSON_INVALID with JSON paths)', () => {
  const prefix = 'The file is not valid json - ';
  it.each([
    [model({ nireqq: 1 }), 'model_config_list[0].config.nireqq: unknown key'],
    ['{"model_config_list": [], "extra": 1}', 'extra: unknown key'],
    [
      '{"model_config_list": [{"config": {"name": "m", "base_path": "/m"}, "x": 1}]}',
      'model_config_list[0].x: unknown key',
    ],
    ['[]', '(root): expected an object; got []'],
    ['{}', 'model_config_list: required key is missing (expected an array)'],
    ['{"model_config_list": {}}', 'model_config_list: expected an array; got {}'],
    [
      '{"model_config_list": [{"config": {"name": 1}}]}',
      'model_config_list[0].config.name: expected a string; got 1; model_config_list[0].config.base_path: required key is missing (expected a string)',
    ],
    [model({ name: '' }), 'model_config_list[0].config.name: must not be empty'],
    [model({ nireq: -1 }), 'model_config_list[0].config.nireq: expected a value >= 0; got -1'],
    [model({ nireq: 1.5 }), 'model_config_list[0].config.nireq: expected an integer; got 1.5'],
    [model({ nireq: '4' }), 'model_config_list[0].config.nireq: expected a number; got "4"'],
    [
      model({ target_device: null }),
      'model_config_list[0].config.target_device: expected a string; got null',
    ],
    [
      model({ stateful: 'yes' }),
      'model_config_list[0].config.stateful: expected a boolean; got "yes"',
    ],
    [model({ engine: '' }), 'model_config_list[0].config.engine: must not be empty'],
    [model({ engine: 7 }), 'model_config_list[0].config.engine: expected a string; got 7'],
    ['{"model_config_list": [], "plugins": "a.mjs"}', 'plugins: expected an array; got "a.mjs"'],
    ['{"model_config_list": [], "plugins": [""]}', 'plugins[0]: must not be empty'],
    [
      model({ batch_size: -2 }),
      'model_config_list[0].config.batch_size: invalid batch size -2 - expected a non-negative integer or "auto"',
    ],
    [
      model({ shape: [1, 3] }),
      'model_config_list[0].config.shape: expected a shape string like "(1,3,224,224)", "auto" or an object of per-input shapes; got [1,3]',
    ],
    [
      model({ shape: '(1,x)' }),
      'model_config_list[0].config.shape: invalid shape "(1,x)" - dimension "x" must be -1, a non-negative integer or a range min:max',
    ],
    [
      model({ layout: 'NHWC:NCHW:NC' }),
      'model_config_list[0].config.layout: invalid layout "NHWC:NCHW:NC" - expected a layout like "NCHW" or "NHWC:NCHW" (letters N, C, H, W, D, ?, ...)',
    ],
    [
      model({ model_version_policy: { latest: { num_versions: 0 } } }),
      'model_config_list[0].config.model_version_policy: invalid model_version_policy {"latest":{"num_versions":0}} - "latest" takes {"num_versions": N} with N a positive integer',
    ],
    [
      model({ plugin_config: { A: [1] } }),
      'model_config_list[0].config.plugin_config: plugin_config value of "A" must be a string, number or boolean; got [1]',
    ],
    [
      model({ low_latency_transformation: true }),
      'model_config_list[0].config.stateful: Setting low_latency_transformation, max_sequence_number and idle_sequence_cleanup require setting stateful flag for the model.',
    ],
    [
      model({ custom_loader_options: { loader_name: 'x' } }),
      'model_config_list[0].config.custom_loader_options: custom_loader_options is an OVMS feature that ovms-ts does not support',
    ],
    [
      '{"model_config_list": [], "monitoring": {"metrics": {"enable": "yes"}}}',
      'monitoring.metrics.enable: expected a boolean; got "yes"',
    ],
    [
      model({ dynamic_batching: { max_batch_size: 0 } }),
      'model_config_list[0].config.dynamic_batching: max_batch_size must be an integer >= 1; got 0',
    ],
    [
      model({ dynamic_batching: { max_batch_size: 4, preferred_batch_size: [8] } }),
      'model_config_list[0].config.dynamic_batching: preferred_batch_size must be an array of integers from 1 to max_batch_size (4); got [8]',
    ],
    [
      '{"model_config_list": [], "mediapipe_config_list": []}',
      'mediapipe_config_list: mediapipe_config_list is an OVMS feature that ovms-ts does not support',
    ],
  ])('%s', (text, detail) => {
    const error = invalid(text);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.message).toBe(prefix + detail);
  });

  it('keeps the issues apart on ConfigError', () => {
    const error = invalid(model({ nireq: -1, foo: 1 })) as ConfigError;
    expect(error.issues).toEqual([
      { path: 'model_config_list[0].config.nireq', message: 'expected a value >= 0; got -1' },
      { path: 'model_config_list[0].config.foo', message: 'unknown key' },
    ]);
  });
});

describe('parseConfigText: pipeline shape errors', () => {
  const pipeline = (node: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      model_config_list: [],
      pipeline_config_list: [
        {
          name: 'p',
          inputs: ['x'],
          nodes: [{ name: 'n', inputs: [], outputs: [], ...node }],
          outputs: [],
          ...extra,
        },
      ],
    });
  const node = 'pipeline_config_list[0].nodes[0]';
  it.each([
    [pipeline({ type: 'DL model' }), `${node}.model_name: required for a "DL model" node`],
    [
      pipeline({ type: 'DL model', model_name: 'm', library_name: 'l' }),
      `${node}.library_name: not allowed on a "DL model" node`,
    ],
    [
      pipeline({ type: 'custom', library_name: 'l', version: 2 }),
      `${node}.version: not allowed on a "custom" node`,
    ],
    [
      pipeline({ type: 'python', model_name: 'm' }),
      `${node}.type: expected one of "DL model", "custom"; got "python"`,
    ],
    [
      pipeline({ type: 'DL model', model_name: 'm', version: 0 }),
      `${node}.version: expected a value >= 1; got 0`,
    ],
    [
      pipeline({ type: 'DL model', model_name: 'm', demultiply_count: -2 }),
      `${node}.demultiply_count: expected a value >= -1; got -2`,
    ],
    [
      pipeline({ type: 'DL model', model_name: 'm', inputs: [{}] }),
      `${node}.inputs[0]: expected exactly one {"<alias>": {"node_name": …, "data_item": …}} entry`,
    ],
    [
      pipeline({ type: 'DL model', model_name: 'm', inputs: [{ a: { node_name: 'r' } }] }),
      `${node}.inputs[0].a.data_item: required key is missing (expected a string)`,
    ],
    [
      pipeline({ type: 'custom', library_name: 'l', params: { k: 1 } }),
      `${node}.params.k: expected a string; got 1`,
    ],
    [
      pipeline({ type: 'DL model', model_name: 'm', outputs: [{ data_item: 'o' }] }),
      `${node}.outputs[0].alias: required key is missing (expected a string)`,
    ],
    [
      pipeline({ type: 'DL model', model_name: 'm' }, { inputs: 'x' }),
      'pipeline_config_list[0].inputs: expected an array; got "x"',
    ],
  ])('%s', (text, detail) => {
    const error = invalid(text);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.message).toBe(`The file is not valid json - ${detail}`);
  });
});

describe('parseConfigText: meaning errors', () => {
  const config = (body: Record<string, unknown>) =>
    JSON.stringify({ model_config_list: [], ...body });
  const entry = (name: string) => ({ config: { name, base_path: `/${name}` } });
  const pipe = (name: string) => ({ name, inputs: [], nodes: [], outputs: [] });
  it.each([
    [
      config({ model_config_list: [entry('a'), entry('b'), entry('a')] }),
      'model_config_list[2].config.name: Duplicated model names: "a" is already defined at model_config_list[0].config',
    ],
    [
      config({ pipeline_config_list: [pipe('p'), pipe('p')] }),
      'pipeline_config_list[1].name: Duplicated pipeline names: "p" is already defined at pipeline_config_list[0]',
    ],
    [
      config({ model_config_list: [entry('x')], pipeline_config_list: [pipe('x')] }),
      'pipeline_config_list[0].name: Pipeline name: "x" is already occupied by model at model_config_list[0].config',
    ],
    [
      config({
        custom_node_library_config_list: [
          { name: 'l', base_path: '/a' },
          { name: 'l', base_path: '/b' },
        ],
      }),
      'custom_node_library_config_list[1].name: Duplicated custom node library names: "l" is already defined at custom_node_library_config_list[0]',
    ],
  ])('%s', (text, detail) => {
    const error = invalid(text);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.message).toBe(`The file is not valid json - ${detail}`);
  });
});
