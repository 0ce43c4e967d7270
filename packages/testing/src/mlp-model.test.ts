import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { writeMlpModel } from './mlp-model.js';

describe('MLP benchmark model', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('is a valid ONNX model computing relu(x·w1 + b1)·w2 + b2 with the declared shapes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlp-'));
    dirs.push(dir);
    await writeMlpModel(dir, { inputSize: 8, hiddenSize: 16, outputSize: 3 });
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const zeros = new ort.Tensor('float32', new Float32Array(2 * 8), [2, 8]);
    const result = await session.run({ x: zeros });
    const y = result['y'];
    expect(y?.dims).toEqual([2, 3]);
    // With x = 0 the output is relu(b1)·w2 + b2: the same for both rows, and not all zero.
    const data = y?.data as Float32Array;
    expect([...data.subarray(0, 3)]).toEqual([...data.subarray(3, 6)]);
    expect(data.some((v) => v !== 0)).toBe(true);
    await session.release();
  });

  it('declares a fixed batch when asked, and ORT holds the model to it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlp-'));
    dirs.push(dir);
    await writeMlpModel(dir, { inputSize: 8, hiddenSize: 4, outputSize: 2, batch: 1 });
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    expect(session.inputMetadata).toMatchObject([{ name: 'x', shape: [1, 8] }]);
    const two = new ort.Tensor('float32', new Float32Array(2 * 8), [2, 8]);
    await expect(session.run({ x: two })).rejects.toThrow(/dimensions/i);
    await session.release();
  });
});
