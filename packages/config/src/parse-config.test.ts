import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText, readConfigFile, resolveBasePath } from './parse-config.js';
import { ANONYMOUS_INPUT_NAME } from '@ovms/core';

const at = { configPath: '/etc/ovms/config.json' };

function errorOf(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const invalid = (text: string) => errorOf(() => parseConfigText(text, at));
const model = (config: Record<string, unknown>) =>
  JSON.stringify({ model_config_list: [{ config: { name: 'm', base_path: '/m', ...config } }] });

// The example config of SPEC.md, verbatim.
const SPEC_EXAMPLE = `{ "model_config_list": [ { "config": {
      "name": "resnet", "base_path": "/models/resnet", "batch_size": "auto", "shape": "(1,3,224,224)",
      "layout": "NHWC:NCHW", "model_version_policy": { "latest": { "num_versions": 2 } },
      "nireq": 4, "target_device": "CPU", "plugin_config": { "PERFORMANCE_HINT": "THROUGHPUT" } } } ],
  "pipeline_config_list": [ { "name": "p", "inputs": ["img"],
      "nodes": [ { "name": "det", "type": "DL model", "model_name": "detector", "version": 1,
                   "inputs": [ { "image": { "node_name": "request", "data_item": "img" } } ],
                   "outputs": [ { "data_item": "boxes", "alias": "boxes" } ], "demultiply_count": -1 },
                 { "name": "crop", "type": "custom", "library_name": "crop_lib", "params": { "k": "v" },
                   "inputs": [ { "b": { "node_name": "det", "data_item": "boxes" } } ],
                   "outputs": [ { "data_item": "out", "alias": "crops" } ], "gather_from_node": "det" } ],
      "outputs": [ { "result": { "node_name": "crop", "data_item": "crops" } } ] } ],
  "custom_node_library_config_list": [ { "name": "crop_lib", "base_path": "/libs/crop.js" } ],
  "monitoring": { "metrics": { "enable": true, "metrics_list": ["ovms_requests_success"] } } }`;

describe('parseConfigText: golden configs', () => {
  it('parses the SPEC.md example into the typed ServerConfig', () => {
    expect(parseConfigText(SPEC_EXAMPLE, at)).toEqual({
      models: [
        {
          name: 'resnet',
          basePath: '/models/resnet',
          batchSize: 'auto',
          shape: { [ANONYMOUS_INPUT_NAME]: [1, 3, 224, 224] },
          layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' },
          versionPolicy: { kind: 'latest', numVersions: 2 },
          nireq: 4,
          targetDevice: 'CPU',
          pluginConfig: { PERFORMANCE_HINT: 'THROUGHPUT' },
          stateful: false,
          lowLatencyTransformation: false,
          idleSequenceCleanup: true,
        },
      ],
      pipelines: [
        {
          name: 'p',
          inputs: ['img'],
          nodes: [
            {
              kind: 'model',
              name: 'det',
              modelName: 'detector',
              version: 1,
              inputs: [{ alias: 'image', nodeName: 'request', dataItem: 'img' }],
              outputs: [{ dataItem: 'boxes', alias: 'boxes' }],
              demultiplyCount: -1,
            },
            {
              kind: 'custom',
              name: 'crop',
              libraryName: 'crop_lib',
              params: { k: 'v' },
              inputs: [{ alias: 'b', nodeName: 'det', dataItem: 'boxes' }],
              outputs: [{ dataItem: 'out', alias: 'crops' }],
              gatherFromNode: 'det',
            },
          ],
          outputs: [{ name: 'result', nodeName: 'crop', dataItem: 'crops' }],
        },
      ],
      customNodeLibraries: [{ name: 'crop_lib', basePath: '/libs/crop.js' }],
      monitoring: { metrics: { enable: true, metricsList: ['ovms_requests_success'] } },
    });
  });

  it('fills OVMS defaults for a minimal model (latest 1, CPU, nireq 0)', () => {
    const config = parseConfigText(model({}), at);
    expect(config.models[0]).toEqual({
      name: 'm',
      basePath: '/m',
      versionPolicy: { kind: 'latest', numVersions: 1 },
      nireq: 0,
      targetDevice: 'CPU',
      pluginConfig: {},
      stateful: false,
      lowLatencyTransformation: false,
      idleSequenceCleanup: true,
    });
    expect(config.pipelines).toEqual([]);
    expect(config.monitoring).toBeUndefined();
  });

  it('parses OVMS doc examples: per-input shapes, per-tensor layouts, all/specific policies, stateful', () => {
    const config = parseConfigText(
      JSON.stringify({
        model_config_list: [
          {
            config: {
              name: 'face',
              base_path: 's3://bucket/face',
              shape: { input1: '(1,3,224,224)', input2: '(1, 3, 50:100, -1)', input3: 'auto' },
              layout: { input1: 'nhwc:nchw', output1: 'CN:NC' },
              model_version_policy: { specific: { versions: [3, 1, 3] } },
              batch_size: '8',
              plugin_config: '{"NUM_STREAMS": 2, "ENABLE_CPU_PINNING": true}',
              allow_cache: true,
              engine: 'onnxruntime',
            },
          },
          {
            config: {
              name: 'seq',
              base_path: 'gs://b/seq',
              model_version_policy: { all: {} },
              stateful: true,
              low_latency_transformation: true,
              max_sequence_number: 100,
              idle_sequence_cleanup: false,
              batch_size: 0,
            },
          },
        ],
      }),
      at,
    );
    const [face, seq] = config.models;
    expect(face).toMatchObject({
      shape: {
        input1: [1, 3, 224, 224],
        input2: [1, 3, { min: 50, max: 100 }, -1],
        input3: 'auto',
      },
      layout: { input1: 'NHWC:NCHW', output1: 'CN:NC' },
      versionPolicy: { kind: 'specific', versions: [1, 3] },
      batchSize: 8,
      pluginConfig: { NUM_STREAMS: 2, ENABLE_CPU_PINNING: true },
      allowCache: true,
      engine: 'onnxruntime',
    });
    expect(seq).toMatchObject({
      versionPolicy: { kind: 'all' },
      stateful: true,
      lowLatencyTransformation: true,
      maxSequenceNumber: 100,
      idleSequenceCleanup: false,
    });
    // batch_size 0 means "keep the model's batch size", as in OVMS.
    expect(seq && 'batchSize' in seq).toBe(false);
  });

  it('resolves relative base_paths against the config file directory and keeps cloud URIs', () => {
    const config = parseConfigText(
      JSON.stringify({
        model_config_list: [
          { config: { name: 'a', base_path: 'models/a' } },
          { config: { name: 'b', base_path: '../b' } },
          { config: { name: 'c', base_path: 'azfs://share/c' } },
          { config: { name: 'd', base_path: 'az://container/d' } },
        ],
        custom_node_library_config_list: [{ name: 'lib', base_path: './lib/node.js' }],
      }),
      at,
    );
    expect(config.models.map((m) => m.basePath)).toEqual([
      '/etc/ovms/models/a',
      '/etc/b',
      'azfs://share/c',
      'az://container/d',
    ]);
    expect(config.customNodeLibraries[0]?.basePath).toBe('/etc/ovms/lib/node.js');
    expect(resolveBasePath('/abs/x', '/etc')).toBe('/abs/x');
    expect(resolveBasePath('ftp://host/x', '/etc')).toBe('ftp://host/x');
  });

  it('resolves plugins against the config file directory and accepts a plugin engine name', () => {
    const config = parseConfigText(
      JSON.stringify({
        model_config_list: [{ config: { name: 'a', base_path: 'mem://a', engine: 'affine' } }],
        plugins: ['plugins/mem.mjs', '/opt/affine.mjs'],
      }),
      at,
    );
    expect(config.plugins).toEqual(['/etc/ovms/plugins/mem.mjs', '/opt/affine.mjs']);
    expect(config.models[0]).toMatchObject({ basePath: 'mem://a', engine: 'affine' });
    expect('plugins' in parseConfigText(model({}), at)).toBe(false);
  });

  it('ignores a UTF-8 BOM', () => {
    expect(parseConfigText(`\ufeff${model({})}`, at).models).toHaveLength(1);
  });
});

describe('parseConfigText: JSON errors', () => {
  it.each([
    ['{\n  "a": 1,\n}', 'Expected a double-quoted property name at line 3, column 1'],
    ['{"model_config_list": [', 'Unexpected end of input at line 1, column 24'],
    ['{}\nx', 'Unexpected "x" after the JSON value at line 2, column 1'],
    ['{"a": [1 2]}', "Expected ',' or ']' after an array element at line 1, column 10"],
    ['{"a": 1 "b": 2}', "Expected ',' or '}' after a property value at line 1, column 9"],
    ['{"a": tru}', 'Unexpected character "t" at line 1, column 7'],
    ['{"a": "\\x"}', 'Bad escaped character at line 1, column 9'],
    ['{"a": "\\u12"}', 'Bad unicode escape at line 1, column 9'],
    ['{"a": "\t"}', 'Unescaped control character in string at line 1, column 8'],
    ['{"a" 1}', 'Unexpected character "1" at line 1, column 6'],
    ['', 'Unexpected end of input at line 1, column 1'],
  ])('%j → JSON_INVALID with line and column', (text, detail) => {
    const error = invalid(text);
    expect(error.code).toBe('JSON_INVALID');
    expect(error.message).toBe(`The file is not valid json - ${detail}`);
  });
});

describe('readConfigFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovms-config-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'config.json'), model({ base_path: 'models/m' }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads, hashes and resolves base_path against the file directory', async () => {
    const file = join(dir, 'sub', 'config.json');
    const read = await readConfigFile(file);
    expect(read.path).toBe(file);
    expect(read.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(read.config.models[0]?.basePath).toBe(join(dir, 'sub', 'models', 'm'));
    expect((await readConfigFile(file)).hash).toBe(read.hash);
    await writeFile(file, model({ base_path: 'models/m', nireq: 2 }));
    expect((await readConfigFile(file)).hash).not.toBe(read.hash);
  });

  it('reads <dir>/config.json when given a directory, as OVMS', async () => {
    expect((await readConfigFile(join(dir, 'sub'))).path).toBe(join(dir, 'sub', 'config.json'));
  });

  it('names the path of a missing file (CONFIG_FILE_INVALID)', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readConfigFile(missing)).rejects.toMatchObject({
      code: 'CONFIG_FILE_INVALID',
      message: `Configuration file is invalid - cannot read ${missing}: ENOENT`,
    });
  });

  it('reports invalid JSON in the file as JSON_INVALID', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"model_config_list": [}');
    await expect(readConfigFile(file)).rejects.toMatchObject({
      code: 'JSON_INVALID',
      message: 'The file is not valid json - Unexpected character "}" at line 1, column 24',
    });
  });
});
