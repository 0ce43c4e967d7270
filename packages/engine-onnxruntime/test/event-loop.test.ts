import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf, createNumericTensor, type LoadedModel, type TensorMap } from '@ovms/core';
import { linkPpOcrDetModel } from '@ovms/testing';
import { createOnnxRuntimeEngine, type OnnxRuntimeModel } from '../src/index.js';

// A real model (PP-OCRv4 det, 1×3×640×640). The lag bound is relative to the infer time
// measured in the same window, so a slower or busier machine only scales it.

let root = '';
let versionDir = '';
const open: LoadedModel[] = [];
const image: TensorMap = new Map([
  ['x', createNumericTensor('FP32', [1, 3, 640, 640], bytesOf(new Float32Array(3 * 640 * 640)))],
]);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ort-loop-'));
  versionDir = join(root, 'det', '1');
  await linkPpOcrDetModel(versionDir);
});
afterAll(async () => {
  await Promise.all(open.map((model) => model.close()));
  await rm(root, { recursive: true, force: true });
});

async function load(nireq: number, threads?: number): Promise<LoadedModel> {
  const pluginConfig = threads === undefined ? {} : { INFERENCE_NUM_THREADS: threads };
  const model = await createOnnxRuntimeEngine().load(versionDir, { nireq, pluginConfig });
  open.push(model);
  return model;
}

/** Largest delay of a 5 ms interval timer while `work` runs: how long the loop was blocked. */
async function maxEventLoopLag(work: () => Promise<unknown>): Promise<number> {
  const period = 5;
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - period);
    last = now;
  }, period);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return worst;
}

describe('onnxruntime engine: inference off the event loop', () => {
  it('keeps the event loop responsive while four PP-OCR infers run', async () => {
    const model = await load(1);
    await model.infer(image); // warm-up: first runs allocate ORT's arenas
    let elapsed = 0;
    const lag = await maxEventLoopLag(async () => {
      const start = performance.now();
      await Promise.all(Array.from({ length: 4 }, () => model.infer(image)));
      elapsed = performance.now() - start;
    });
    // With nireq 1 the four run one after another: a single infer's time, measured under the
    // same load as the lag. Inline runs would block the loop that long (lag ≈ perInfer).
    const perInfer = elapsed / 4;
    expect(perInfer).toBeGreaterThan(20);
    expect(lag).toBeLessThan(perInfer / 2);
  }, 60_000);

  it('nireq 2 hands two infers to two threads and queues a third', async () => {
    // That the two threads really overlap is shown by worker-pool.test.ts from the workers'
    // own run timestamps; wall-clock ratios are too noisy while other test files use the CPU.
    const model = (await load(2, 1)) as OnnxRuntimeModel;
    const infers = [model.infer(image), model.infer(image), model.infer(image)];
    expect([model.activeRequests, model.queuedRequests]).toEqual([2, 1]);
    const outputs = await Promise.all(infers);
    expect(outputs.map((map) => map.get('sigmoid_0.tmp_0')?.shape)).toEqual(
      Array.from({ length: 3 }, () => [1, 1, 640, 640]),
    );
    expect([model.activeRequests, model.queuedRequests]).toEqual([0, 0]);
  }, 60_000);
});
