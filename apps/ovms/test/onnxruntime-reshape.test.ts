import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel, writeMlpModel } from '@ovms/testing';
import { curlJson, postJson } from './support/process.js';
import { writeConfig } from './support/repository.js';
import { eventually, startServerProcess, type ServerProcess } from './support/server-process.js';

// The ovms command serving ONNX models exported for one shape with OVMS shape, batch_size and
// layout on the onnxruntime engine, through KServe REST with curl.
const FEATURES = 1024;
let dir = '';
let server: ServerProcess;

const NAMES = ['dense', 'dense3', 'dense4', 'nchw', 'nhwc'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-ort-reshape-e2e-'));
  const shape = { inputSize: FEATURES, hiddenSize: 16, outputSize: 10, batch: 1 };
  await writeMlpModel(join(dir, 'dense', '1'), shape);
  await writeFixtureModel('nchw', 'onnx', join(dir, 'nchw', '1'));
  const dense = { base_path: join(dir, 'dense'), engine: 'onnxruntime' };
  const nchw = { base_path: join(dir, 'nchw'), engine: 'onnxruntime' };
  const configPath = join(dir, 'config.json');
  await writeConfig(configPath, [
    { name: 'dense', ...dense },
    { name: 'dense3', ...dense, shape: '(3,1024)' },
    { name: 'dense4', ...dense, batch_size: '4' },
    { name: 'nchw', ...nchw },
    { name: 'nhwc', ...nchw, layout: 'NHWC:NCHW' },
  ]);
  server = await startServerProcess(['--config_path', configPath], {});
  const ready = async () => {
    const answers = await Promise.all(
      NAMES.map((name) => fetch(`${server.restUrl}/v2/models/${name}/ready`)),
    );
    return answers.every((answer) => answer.status === 200);
  };
  await eventually(ready, 60_000, () => server.output());
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function values(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(Math.sin(i * 0.37) * 1000) / 1000);
}

async function infer(model: string, shape: number[], data: number[]) {
  const body = { inputs: [{ name: 'x', shape, datatype: 'FP32', data }] };
  const { status, json } = await curlJson(
    `${server.restUrl}/v2/models/${model}/infer`,
    postJson(body),
  );
  expect(status, JSON.stringify(json)).toBe(200);
  const [output] = (json as { outputs: { shape: number[]; data: number[] }[] }).outputs;
  if (output === undefined) throw new Error(`no output from ${model}`);
  return output;
}

async function inputShape(model: string): Promise<number[] | undefined> {
  const { json } = await curlJson(`${server.restUrl}/v2/models/${model}`);
  return (json as { inputs: { shape: number[] }[] }).inputs[0]?.shape;
}

describe('ovms on onnxruntime: a model exported for [1,1024], served with other shapes', () => {
  it('--shape (3,1024) answers 3 rows, each what the model answers for that row alone', async () => {
    expect(await inputShape('dense3')).toEqual([3, FEATURES]);
    const x = values(3 * FEATURES);
    const y = await infer('dense3', [3, FEATURES], x);
    expect(y.shape).toEqual([3, 10]);
    for (let row = 0; row < 3; row++) {
      const alone = await infer(
        'dense',
        [1, FEATURES],
        x.slice(row * FEATURES, (row + 1) * FEATURES),
      );
      alone.data.forEach((value, i) => expect(y.data[row * 10 + i]).toBeCloseTo(value, 4));
    }
  });

  it('batch_size 4 answers 4 rows', async () => {
    expect(await inputShape('dense4')).toEqual([4, FEATURES]);
    expect((await infer('dense4', [4, FEATURES], values(4 * FEATURES))).shape).toEqual([4, 10]);
  });

  it('layout NHWC:NCHW takes NHWC and answers as the NCHW model given the transposed tensor', async () => {
    expect(await inputShape('nhwc')).toEqual([1, 4, 4, 3]);
    const nhwc = values(4 * 4 * 3);
    const nchw = Array.from({ length: nhwc.length }, (_, i) => {
      const [c, y, x] = [Math.floor(i / 16), Math.floor(i / 4) % 4, i % 4];
      return nhwc[(y * 4 + x) * 3 + c] ?? NaN;
    });
    const viaLayout = await infer('nhwc', [1, 4, 4, 3], nhwc);
    expect(viaLayout).toEqual(await infer('nchw', [1, 3, 4, 4], nchw));
  });
});
