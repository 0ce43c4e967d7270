import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBytesTensor } from '@ovms/core';
import type { Engine, InferTiming, LoadedModel, ModelLoadOptions } from '@ovms/core';
import { fixtureSpec, writeFixtureModel } from '@ovms/testing';
import { createOpenvinoEngine } from '../src/index.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

const spec = fixtureSpec('add_f32');

const usageOf = (model: LoadedModel) => {
  if (model.usage === undefined) throw new Error('the OpenVINO model reports no usage');
  return model.usage();
};

describe('OpenVINO engine: usage and timing for the OVMS metrics', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — OpenVINO usage tests skipped: ${openvinoMissing}`, () => {});
    return;
  }
  let root = '';
  let engine: Engine;
  const open: LoadedModel[] = [];
  const load = async (options: ModelLoadOptions) => {
    const model = await engine.load(join(root, 'add', '1'), options);
    open.push(model);
    return model;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-usage-'));
    await writeFixtureModel('add_f32', 'ir', join(root, 'add', '1'));
    engine = createOpenvinoEngine({ binding: 'c-api', libDir: openvinoLibDir ?? '' });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((model) => model.close()));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('counts running and waiting requests against nireq and reports NUM_STREAMS', async () => {
    const model = await load({ nireq: 1, pluginConfig: { NUM_STREAMS: 2 } });
    expect(usageOf(model)).toEqual({ active: 0, queued: 0, nireq: 1, streams: 2 });
    const runs = [1, 2, 3].map((seed) => model.infer(spec.sampleInputs({ seed })));
    // The first request took the only infer request at once; the other two wait for it.
    expect(usageOf(model)).toEqual({ active: 1, queued: 2, nireq: 1, streams: 2 });
    await Promise.all(runs);
    expect(usageOf(model)).toEqual({ active: 0, queued: 0, nireq: 1, streams: 2 });
  });

  it("nireq 0 reports OpenVINO's optimal number of infer requests", async () => {
    const model = await load({ nireq: 0, pluginConfig: { NUM_STREAMS: 2 } });
    // On CPU the optimum is one infer request per stream.
    expect(usageOf(model)).toEqual({ active: 0, queued: 0, nireq: 2, streams: 2 });
  });

  it('fills waitUs and inferenceUs; a request queued behind another waited for its run', async () => {
    const model = await load({ nireq: 1 });
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
    // The first found the infer request free; the later ones waited for the runs before them.
    expect(first.waitUs).toBeGreaterThanOrEqual(0);
    expect(first.waitUs).toBeLessThan(1_000_000);
    expect(second.waitUs).toBeGreaterThan(0);
    expect(second.waitUs).toBeGreaterThanOrEqual(first.inferenceUs);
    expect(third.waitUs).toBeGreaterThanOrEqual(first.inferenceUs + second.inferenceUs);
  });

  it('leaves timing alone on a request the engine refuses before inference', async () => {
    const model = await load({ nireq: 1 });
    const timing: InferTiming = { waitUs: -1, inferenceUs: -1 };
    const strings = new Map([['a', createBytesTensor([1], [new Uint8Array(1)])]]);
    await expect(model.infer(strings, undefined, timing)).rejects.toThrow(/BYTES inputs/);
    expect(timing).toEqual({ waitUs: -1, inferenceUs: -1 });
  });
});
