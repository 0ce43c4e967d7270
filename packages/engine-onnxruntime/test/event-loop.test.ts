import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf, createNumericTensor, type LoadedModel, type TensorMap } from '@ovms/core';
import { linkPpOcrDetModel } from '@ovms/testing';
import { createOnnxRuntimeEngine, type OnnxRuntimeModel } from '../src/index.js';

// A real model (PP-OCRv4 det, 1×3×640×640). The loop's bound is relative to the CPU the
// infers take, measured in the same window, so a slower or busier machine only scales it.

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

/** CPU time (ms) of this thread and of the whole process while `work` runs. */
async function cpuDuring(work: () => Promise<unknown>): Promise<{ loop: number; process: number }> {
  const thread = process.threadCpuUsage();
  const all = process.cpuUsage();
  await work();
  const ms = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1000;
  return { loop: ms(process.threadCpuUsage(thread)), process: ms(process.cpuUsage(all)) };
}

describe('onnxruntime engine: inference off the event loop', () => {
  it('runs four PP-OCR infers off the event loop: the loop thread spends a tenth of their CPU at most', async () => {
    const model = await load(1);
    await model.infer(image); // warm-up: first runs allocate ORT's arenas
    // The loop thread's CPU, not timer lateness: on a machine other work shares, the kernel may
    // leave an idle loop waiting for a core longer than an infer takes. Inline, ORT would run
    // each infer on this thread (with its pool's threads): at least half the process's CPU.
    const cpu = await cpuDuring(() =>
      Promise.all(Array.from({ length: 4 }, () => model.infer(image))),
    );
    expect(cpu.process).toBeGreaterThan(20);
    expect(cpu.loop).toBeLessThan(cpu.process / 10);
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
