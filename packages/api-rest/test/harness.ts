import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createModelServable,
  type LoadedModel,
  type MetricsRecorder,
  type RequestRecord,
  type Servable,
  type TensorMap,
  type TensorSpec,
} from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import {
  TestServableProvider,
  createJsModel,
  writeFixtureModel,
  type ModelFixtureName,
} from '@ovms/testing';
import {
  createRestApp,
  startRestServer,
  type RestAppOptions,
  type RestServer,
} from '../src/index.js';

/** A model version as the server serves it: core's model servable. */
function modelServable(name: string, version: number, loaded: LoadedModel): Servable {
  return createModelServable({ name, version, loaded });
}

function jsServable(
  name: string,
  inputs: TensorSpec[],
  outputs: TensorSpec[],
  run: (inputs: TensorMap) => TensorMap,
): Servable {
  return modelServable(name, 1, createJsModel(inputs, outputs, run));
}

/** No fixture takes strings, so BYTES (b64) paths are served by this echo in JS. */
const echo = jsServable(
  'echo',
  [{ name: 'text', dtype: 'BYTES', shape: [-1] }],
  [
    { name: 'echo_bytes', dtype: 'BYTES', shape: [-1] },
    { name: 'echo', dtype: 'BYTES', shape: [-1] },
  ],
  (inputs) => {
    const text = inputs.get('text');
    if (text === undefined) throw new Error('no text');
    return new Map([
      ['echo_bytes', text],
      ['echo', text],
    ]);
  },
);

/** An engine that fails the way native code does: with a plain Error. */
const broken = jsServable(
  'broken',
  [{ name: 'x', dtype: 'FP32', shape: [-1] }],
  [{ name: 'y', dtype: 'FP32', shape: [-1] }],
  () => {
    throw new Error('native failure');
  },
);

export interface TestServer {
  readonly url: string;
  readonly provider: TestServableProvider;
  readonly records: RequestRecord[];
  close(): Promise<void>;
}

export const SERVER_NAME = 'OpenVINO Model Server';
export const SERVER_VERSION = '2025.0-test';

const FIXTURES: readonly [string, ModelFixtureName, readonly number[]][] = [
  ['add-f32.v1', 'add_f32', [1, 2]],
  ['two', 'two_in_two_out', [1]],
  ['dyn', 'dynamic_dims', [1]],
  ['i64', 'add_i64', [1]],
];

/**
 * Starts the real REST server on 127.0.0.1, port 0, over real onnxruntime models written from
 * the fixtures: `add-f32.v1` (versions 1 and 2 AVAILABLE, 3 LOADING), `two`, `dyn`, `i64`;
 * `loading` (only LOADING), and the JS servables `echo` (BYTES) and `broken`.
 */
export async function startTestServer(
  options: Partial<Pick<RestAppOptions, 'maxBodyBytes' | 'metricsText' | 'modelControl'>> = {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'api-rest-'));
  const engine = createOnnxRuntimeEngine();
  const provider = new TestServableProvider();
  const loaded: LoadedModel[] = [];
  for (const [name, fixture, versions] of FIXTURES) {
    const versionDir = join(dir, name, '1');
    await writeFixtureModel(fixture, 'onnx', versionDir);
    for (const version of versions) {
      const model = await engine.load(versionDir, {});
      loaded.push(model);
      provider.add(name, version, {
        state: 'AVAILABLE',
        servable: modelServable(name, version, model),
      });
    }
  }
  provider.add('add-f32.v1', 3, { state: 'LOADING' });
  provider.add('loading', 1, { state: 'LOADING' });
  provider.add('echo', 1, { state: 'AVAILABLE', servable: echo });
  provider.add('broken', 1, { state: 'AVAILABLE', servable: broken });

  const records: RequestRecord[] = [];
  const metrics: MetricsRecorder = {
    requestStarted() {},
    requestDone: (record) => records.push(record),
    inferenceDone() {},
  };
  const app = createRestApp({
    provider,
    admin: provider,
    metrics,
    serverName: SERVER_NAME,
    serverVersion: SERVER_VERSION,
    ...options,
  });
  const server: RestServer = await startRestServer({ app, host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${server.port}`,
    provider,
    records,
    async close() {
      await server.close(1000);
      await Promise.all(loaded.map((model) => model.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Status and parsed `{"error": …}` of a failed call. */
export async function errorOf(response: Response): Promise<[number, string]> {
  const body = (await response.json()) as { error: string };
  return [response.status, body.error];
}
