import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel } from '@ovms/testing';
import { writeConfig } from './support/repository.js';
import { startReadyServer, type ServerProcess } from './support/server-process.js';

// The ovms command serving tiny ONNX models on onnxruntime: the first requests run on the
// worker threads, later ones on the event loop's own session (packages/engine-onnxruntime,
// InlinePlacement moves them after 16 short runs); the answers must not change on the way.
// (float16 models stay on the workers: test/inline.test.ts in the engine; KServe JSON carries
// no FP16.)
let dir = '';
let server: ServerProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-ort-inline-e2e-'));
  await writeFixtureModel('add_f32', 'onnx', join(dir, 'add', '1'));
  const configPath = join(dir, 'config.json');
  await writeConfig(configPath, [
    { name: 'add', base_path: join(dir, 'add'), engine: 'onnxruntime', nireq: 2 },
  ]);
  server = await startReadyServer(['--config_path', configPath]);
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function post(model: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const answer = await fetch(`${server.restUrl}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: answer.status, json: await answer.json() };
}

function addRequest(datatype: string, a: number[], b: number[]) {
  return {
    inputs: [
      { name: 'a', shape: [a.length / 4, 4], datatype, data: a },
      { name: 'b', shape: [b.length / 4, 4], datatype, data: b },
    ],
  };
}

async function sums(model: string, datatype: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const a = [i, i + 1, i + 2, i + 3];
    const b = [0.5, 1, -2, 4];
    const { status, json } = await post(model, addRequest(datatype, a, b));
    expect(status, JSON.stringify(json)).toBe(200);
    const [output] = (json as { outputs: { shape: number[]; data: number[] }[] }).outputs;
    expect(output?.shape).toEqual([1, 4]);
    expect(output?.data).toEqual(a.map((value, index) => value + (b[index] ?? 0)));
  }
}

describe('ovms on onnxruntime: tiny models leave the worker threads', () => {
  it('answers 64 adds in a row the same on the workers and then inline', async () => {
    await sums('add', 'FP32', 64);
  }, 60_000);

  it('fails a request ORT refuses with its reason inline, then serves the next', async () => {
    await sums('add', 'FP32', 20);
    const bad = addRequest(
      'FP32',
      [1, 2, 3, 4, 5, 6, 7, 8],
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    const { status, json } = await post('add', bad);
    // INTERNAL_INFERENCE_ERROR, as the same request fails on a worker thread.
    expect(status).toBe(500);
    expect((json as { error: string }).error).toMatch(/broadcast/i);
    await sums('add', 'FP32', 1);
  }, 60_000);
});
