import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureModel } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlJson, postJson } from './support/process.js';
import { eventually, startReadyServer, type ServerProcess } from './support/server-process.js';

// The real server with the same tiny model twice on OpenVINO: one left to the engine's default,
// which measures it at load and gives it one inference thread (logging why), and one whose
// plugin_config sets the threads, which is left alone. Both answer the same.
let root: string;
let server: ServerProcess;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-thread-choice-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'pinned', '1'));
  const config = {
    model_config_list: [
      { config: { name: 'add', base_path: join(root, 'add'), engine: 'openvino' } },
      {
        config: {
          name: 'pinned',
          base_path: join(root, 'pinned'),
          engine: 'openvino',
          plugin_config: { INFERENCE_NUM_THREADS: 2 },
        },
      },
    ],
  };
  await writeFile(join(root, 'config.json'), JSON.stringify(config));
  server = await startReadyServer(['--config_path', join(root, 'config.json')]);
}, 150_000);
afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** The server's JSON log lines that name a model version directory under `name`. */
function linesFor(name: string): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((fields) => fields['path'] === join(root, name, '1'));
}

describe('OpenVINO inference threads for a tiny model', () => {
  it('logs one thread for the model left to the default, nothing for the one that sets them', async () => {
    // Ready is answered over HTTP; the log line may still be on its way through the pipe.
    await eventually(
      () => Promise.resolve(linesFor('add').length > 0),
      10_000,
      () => server.output(),
    );
    expect(linesFor('add'), server.output()).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'Tiny model: one inference thread (INFERENCE_NUM_THREADS 1; set it in plugin_config to choose)',
        defaultUs: expect.any(Number) as unknown,
        oneThreadUs: expect.any(Number) as unknown,
      }),
    ]);
    expect(linesFor('pinned')).toEqual([]);
  });

  it('serves both models with the same answers', async () => {
    const body = { instances: [{ a: [1, 2, 3, 4], b: [10, 20, 30, 40] }] };
    for (const name of ['add', 'pinned']) {
      const { status, json } = await curlJson(
        `${server.restUrl}/v1/models/${name}:predict`,
        postJson(body),
      );
      expect(status).toBe(200);
      expect(json).toEqual({ predictions: [[11, 22, 33, 44]] });
    }
  });
});
