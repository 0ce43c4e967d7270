import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typedView } from '@ovms/core';
import type { LoadedModel, TensorMap } from '@ovms/core';
import { fixtureSpec, writeFixtureModel } from '@ovms/testing';
import { createOpenvinoEngine, type PlacementLimits } from '../src/index.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

const spec = fixtureSpec('add_f32');

/** add_f32's one output, `sum`, matches the JS reference: same shape, same values. */
function expectSum(outputs: TensorMap, inputs: TensorMap): void {
  const [actual, expected] = [outputs.get('sum'), spec.reference(inputs).get('sum')];
  if (actual?.dtype !== 'FP32' || expected?.dtype !== 'FP32') throw new Error('FP32 sum expected');
  expect(actual.shape).toEqual(expected.shape);
  expect([...typedView('FP32', actual.data)]).toEqual([...typedView('FP32', expected.data)]);
}

/** Runs one infer and tells whether the event loop got a turn before it answered. */
async function inferAndYielded(model: LoadedModel, inputs: TensorMap) {
  let yielded = false;
  const turn = setImmediate(() => (yielded = true));
  const outputs = await model.infer(inputs);
  clearImmediate(turn);
  return { outputs, yielded };
}

describe('OpenVINO engine: tiny infers on the event loop', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — OpenVINO placement tests skipped: ${openvinoMissing}`, () => {});
    return;
  }
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-placement-'));
    await writeFixtureModel('add_f32', 'ir', join(root, 'add', '1'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  // Limits that any machine meets, so the test is about the wiring, not this machine's speed
  // (the policy itself is tested in src/infer-placement.test.ts).
  const always: Partial<PlacementLimits> = {
    enterUs: 10_000_000,
    stayUs: 10_000_000,
    abortUs: 10_000_000,
    samples: 8,
  };
  const load = (inferPlacement: Partial<PlacementLimits>) =>
    createOpenvinoEngine({ binding: 'c-api', libDir: openvinoLibDir ?? '', inferPlacement }).load(
      join(root, 'add', '1'),
      { nireq: 2 },
    );

  it('answers small requests inline once measured, with the same outputs', async () => {
    const model = await load(always);
    try {
      for (let seed = 0; seed < 8; seed++) {
        const inputs = spec.sampleInputs({ seed });
        const { outputs, yielded } = await inferAndYielded(model, inputs);
        expect(yielded).toBe(true);
        expectSum(outputs, inputs);
      }
      for (let seed = 8; seed < 16; seed++) {
        const inputs = spec.sampleInputs({ seed });
        const { outputs, yielded } = await inferAndYielded(model, inputs);
        expect(yielded).toBe(false);
        expectSum(outputs, inputs);
      }
      // A batch of 8192 rows (256 KiB of inputs) is past maxInputBytes: off the loop again.
      const big = spec.sampleInputs({ seed: 99, dynamicSize: 8192 });
      const { outputs, yielded } = await inferAndYielded(model, big);
      expect(yielded).toBe(true);
      expectSum(outputs, big);
    } finally {
      await model.close();
    }
  });

  it('keeps every infer off the loop with maxInputBytes 0', async () => {
    const model = await load({ ...always, maxInputBytes: 0 });
    try {
      for (let seed = 0; seed < 16; seed++) {
        expect((await inferAndYielded(model, spec.sampleInputs({ seed }))).yielded).toBe(true);
      }
    } finally {
      await model.close();
    }
  });

  it('reports an inline infer that OpenVINO fails as INTERNAL_INFERENCE_ERROR', async () => {
    const model = await load(always);
    try {
      for (let seed = 0; seed < 8; seed++) await model.infer(spec.sampleInputs({ seed }));
      // Both inputs are (-1, 4): each passes validation, but batches 2 and 3 do not broadcast.
      const inputs = spec.sampleInputs({ shapes: { a: [2, 4], b: [3, 4] } });
      let yielded = false;
      const turn = setImmediate(() => (yielded = true));
      await expect(model.infer(inputs)).rejects.toMatchObject({
        code: 'INTERNAL_INFERENCE_ERROR',
        message: expect.stringMatching(/^Internal inference error - infer: /) as unknown,
      });
      clearImmediate(turn);
      expect(yielded).toBe(false); // it failed inline, not on a worker thread
      const good = spec.sampleInputs({ seed: 3 });
      expectSum(await model.infer(good), good);
    } finally {
      await model.close();
    }
  });
});
