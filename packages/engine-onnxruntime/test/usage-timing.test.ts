import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferTiming, LoadedModel } from '@ovms/core';
import { fixtureSpec, writeFixtureModel } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '../src/index.js';

let root = '';
let addDir = '';
const spec = fixtureSpec('add_f32');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ort-usage-'));
  addDir = join(root, 'add', '1');
  await writeFixtureModel('add_f32', 'onnx', addDir);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const usageOf = (model: LoadedModel) => {
  if (model.usage === undefined) throw new Error('the onnxruntime model reports no usage');
  return model.usage();
};

describe('onnxruntime engine: usage and timing for the OVMS metrics', () => {
  it('counts running and waiting requests against nireq, and reports no streams', async () => {
    const model = await createOnnxRuntimeEngine().load(addDir, { nireq: 1 });
    expect(usageOf(model)).toEqual({ active: 0, queued: 0, nireq: 1 });
    const runs = [1, 2, 3].map((seed) => model.infer(spec.sampleInputs({ seed })));
    // The first request took the only worker at once; the other two wait for it.
    expect(usageOf(model)).toEqual({ active: 1, queued: 2, nireq: 1 });
    await Promise.all(runs);
    expect(usageOf(model)).toEqual({ active: 0, queued: 0, nireq: 1 });
    await model.close();
  });

  it('reports nireq as the worker count, 1 when the config leaves it to the engine', async () => {
    const two = await createOnnxRuntimeEngine().load(addDir, { nireq: 2 });
    const runs = [1, 2, 3].map((seed) => two.infer(spec.sampleInputs({ seed })));
    expect(usageOf(two)).toEqual({ active: 2, queued: 1, nireq: 2 });
    await Promise.all(runs);
    await two.close();
    const auto = await createOnnxRuntimeEngine().load(addDir, {});
    expect(usageOf(auto).nireq).toBe(1);
    await auto.close();
  });

  it('fills waitUs and inferenceUs; a request queued behind another waited for its run', async () => {
    const model = await createOnnxRuntimeEngine().load(addDir, { nireq: 1 });
    const timings: InferTiming[] = [1, 2, 3].map(() => ({ waitUs: -1, inferenceUs: -1 }));
    const outputs = await Promise.all(
      timings.map((timing, seed) => model.infer(spec.sampleInputs({ seed }), undefined, timing)),
    );
    expect(outputs.every((out) => out.has('sum'))).toBe(true);
    const [first, second, third] = timings;
    if (first === undefined || second === undefined || third === undefined) {
      throw new Error('three timings expected');
    }
    for (const timing of timings) {
      expect(timing.inferenceUs).toBeGreaterThan(0);
      expect(timing.inferenceUs).toBeLessThan(10_000_000);
    }
    // The first found the worker free; the later ones waited at least for the runs before them.
    expect(first.waitUs).toBeGreaterThanOrEqual(0);
    expect(first.waitUs).toBeLessThan(1_000_000);
    expect(second.waitUs).toBeGreaterThan(0);
    expect(second.waitUs).toBeGreaterThanOrEqual(first.inferenceUs);
    expect(third.waitUs).toBeGreaterThanOrEqual(first.inferenceUs + second.inferenceUs);
    await model.close();
  });

  it('answers without timing when the caller passes none', async () => {
    const model = await createOnnxRuntimeEngine().load(addDir, { nireq: 1 });
    expect((await model.infer(spec.sampleInputs())).has('sum')).toBe(true);
    await model.close();
  });
});
