import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerArgs } from '@ovms/config';
import { silentLogger } from '@ovms/core';
import { startServer } from '../src/index.js';
import type { RunningServer } from '../src/index.js';
import { createGrpcClients, f32Bytes, f32Values, unary } from './support/grpc.js';
import type { GrpcClients } from './support/grpc.js';
import { MAIN_TS, PROJECT_ROOT } from './support/paths.js';
import { run } from './support/process.js';
import { eventually, startServerProcess } from './support/server-process.js';

// docs/plugins.md's two examples, loaded by the real server: the `mem://` storage backend
// serves `mem://models/affine` (versions 1 and 2) and the `affine` engine computes scale·x + bias.
const EXAMPLES = join(PROJECT_ROOT, 'examples/plugins');
const MEM_STORAGE = join(EXAMPLES, 'mem-storage.mjs');
const AFFINE_ENGINE = join(EXAMPLES, 'affine-engine.mjs');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-plugins-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeConfig(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, name);
  const config = {
    model_config_list: [
      {
        config: {
          name: 'affine',
          base_path: 'mem://models/affine',
          model_version_policy: { all: {} },
        },
      },
      { config: { name: 'named', base_path: 'mem://models/affine', engine: 'affine' } },
    ],
    ...extra,
  };
  await writeFile(path, JSON.stringify(config));
  return path;
}

const inferBody = (values: number[]) => ({
  inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: values }],
});

async function restInfer(baseUrl: string, path: string, values: number[]): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(inferBody(values)),
  });
  const body: unknown = await response.json();
  return { status: response.status, body };
}

describe('--plugins: a custom storage backend and engine through the server', () => {
  let server: RunningServer;
  let clients: GrpcClients;
  let restUrl: string;

  beforeAll(async () => {
    const configPath = await writeConfig('flag-config.json');
    // Relative to the working directory, as a user types them.
    const plugins = [MEM_STORAGE, AFFINE_ENGINE].map((path) => relative(PROJECT_ROOT, path));
    const command = parseServerArgs(
      [
        ...['--config_path', configPath, '--port', '9000', '--rest_port', '8000'],
        ...['--grpc_bind_address', '127.0.0.1', '--rest_bind_address', '127.0.0.1'],
        ...['--file_system_poll_wait_seconds', '0', '--plugins', plugins.join(',')],
      ],
      { cwd: PROJECT_ROOT },
    );
    if (command.kind !== 'serve') throw new Error(`unexpected CLI outcome ${command.kind}`);
    server = await startServer({
      options: command.options,
      version: '0.0.0-test',
      logger: silentLogger,
      projectRoot: PROJECT_ROOT,
      env: process.env,
      bindPorts: { grpc: 0, rest: 0 },
      drainMs: 1_000,
    });
    await server.loaded;
    restUrl = `http://127.0.0.1:${server.restPort ?? 0}`;
    clients = createGrpcClients(`127.0.0.1:${server.grpcPort ?? 0}`);
  }, 120_000);
  afterAll(async () => {
    clients?.close();
    await server?.stop();
  });

  it('serves both versions from mem:// with the affine engine over KServe REST', async () => {
    expect(await restInfer(restUrl, '/v2/models/affine/infer', [1, 2, 3])).toMatchObject({
      status: 200,
      body: {
        model_name: 'affine',
        model_version: '2',
        outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 3], data: [10, 20, 30] }],
      },
    });
    expect(await restInfer(restUrl, '/v2/models/affine/versions/1/infer', [1, 2, 3])).toMatchObject(
      { status: 200, body: { outputs: [{ name: 'y', data: [3, 5, 7] }] } },
    );
  });

  it('serves a model whose engine key names the plugin engine', async () => {
    expect(await restInfer(restUrl, '/v2/models/named/infer', [0, 1, 2])).toMatchObject({
      status: 200,
      body: { model_version: '2', outputs: [{ name: 'y', data: [0, 10, 20] }] },
    });
  });

  it('reports the plugin model metadata and refuses a wrong shape as for any model', async () => {
    const metadata = await fetch(`${restUrl}/v2/models/affine`).then((r) => r.json());
    expect(metadata).toMatchObject({
      name: 'affine',
      versions: ['1', '2'],
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
    });
    expect(await restInfer(restUrl, '/v2/models/affine/infer', [1, 2])).toMatchObject({
      status: 400,
    });
  });

  it('infers over KServe gRPC and TF Serving gRPC', async () => {
    const kserve = await unary(clients.inference, 'ModelInfer', {
      model_name: 'affine',
      model_version: '1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3] }],
      raw_input_contents: [f32Bytes([1, 2, 3, 4, 5, 6])],
    });
    expect(kserve['outputs']).toMatchObject([{ name: 'y', datatype: 'FP32', shape: ['2', '3'] }]);
    expect(f32Values((kserve['raw_output_contents'] as unknown[])[0])).toEqual([
      3, 5, 7, 9, 11, 13,
    ]);
    const tfs = await unary(clients.prediction, 'Predict', {
      model_spec: { name: 'affine' },
      inputs: {
        x: {
          dtype: 'DT_FLOAT',
          tensor_shape: { dim: [{ size: 1 }, { size: 3 }] },
          tensor_content: f32Bytes([1, 2, 3]),
        },
      },
    });
    const y = (tfs['outputs'] as Record<string, { tensor_content: unknown }>)['y'];
    expect(f32Values(y?.tensor_content)).toEqual([10, 20, 30]);
  });
});

describe('config.json plugins: the ovms command', () => {
  it('loads the plugins the config names, relative to the config file', async () => {
    const configPath = await writeConfig('key-config.json', {
      plugins: [relative(dir, MEM_STORAGE), AFFINE_ENGINE],
    });
    const server = await startServerProcess(['--config_path', configPath], {});
    try {
      await eventually(
        async () => (await fetch(`${server.restUrl}/v2/models/affine/ready`)).status === 200,
        60_000,
        () => server.output(),
      );
      expect(await restInfer(server.restUrl, '/v2/models/affine/infer', [1, 1, 1])).toMatchObject({
        status: 200,
        body: { outputs: [{ name: 'y', data: [10, 10, 10] }] },
      });
    } finally {
      await server.stop();
    }
  }, 90_000);
});

describe('plugin load errors stop the start with exit code 1', () => {
  const NODE_ARGS = ['--conditions=@ovms/source', '--import', 'tsx', MAIN_TS];
  const start = (plugin: string) =>
    run(
      process.execPath,
      [
        ...NODE_ARGS,
        ...['--model_name', 'm', '--model_path', 'mem://models/affine', '--rest_port', '1'],
        ...['--plugins', plugin],
      ],
      { cwd: PROJECT_ROOT, timeoutMs: 60_000 },
    );
  const plugin = async (name: string, source: string) => {
    const path = join(dir, name);
    await writeFile(path, source);
    return path;
  };

  it.each([
    [
      'a missing file',
      () => Promise.resolve(join(dir, 'missing.mjs')),
      (path: string) => `ovms: cannot load plugin ${path}: no such file`,
    ],
    [
      'a module that does not import',
      () => plugin('syntax.mjs', 'export default (api) => {\n'),
      (path: string) => `ovms: cannot load plugin ${path}: `,
    ],
    [
      'no default export',
      () => plugin('named.mjs', 'export function register() {}\n'),
      (path: string) =>
        `ovms: plugin ${path} has no default export function - expected \`export default (api) => {…}\`; got undefined`,
    ],
    [
      'a plugin that throws',
      () => plugin('throws.mjs', 'export default async () => { throw new Error("boom"); };\n'),
      (path: string) => `ovms: plugin ${path} failed while registering: boom`,
    ],
    [
      'a scheme already registered',
      () =>
        plugin(
          's3.mjs',
          'export default (api) => api.registerStorageBackend({ schemes: ["s3"], list() {}, exists() {}, readText() {}, download() {} });\n',
        ),
      (path: string) =>
        `ovms: plugin ${path} failed while registering: a storage backend for scheme "s3://" is already registered`,
    ],
    [
      'an engine name already registered',
      () =>
        plugin(
          'engine.mjs',
          'export default (api) => api.registerEngine({ name: "onnxruntime", canLoad() {}, load() {} });\n',
        ),
      (path: string) =>
        `ovms: plugin ${path} failed while registering: engine onnxruntime is already registered`,
    ],
    [
      'a malformed engine',
      () =>
        plugin('bad-engine.mjs', 'export default (api) => api.registerEngine({ name: "x" });\n'),
      (path: string) =>
        `ovms: plugin ${path} failed while registering: engine x lacks canLoad, load`,
    ],
  ])(
    '%s',
    async (_case, write, message) => {
      const path = await write();
      const result = await start(path);
      // stderr may open with Node's own warnings; the server's line starts with "ovms:".
      const line = result.stderr.split('\n').find((text) => text.startsWith('ovms:')) ?? '';
      expect({ code: result.code, stderr: line.slice(0, message(path).length) }).toEqual({
        code: 1,
        stderr: message(path),
      });
    },
    60_000,
  );
});
