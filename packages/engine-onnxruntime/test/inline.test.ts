import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError, StatusCode, type InferTiming } from '@ovms/core';
import { fixtureSpec, writeFixtureModel } from '@ovms/testing';
import { createOnnxRuntimeEngine, type OnnxRuntimeEngineOptions } from '../src/index.js';
import type { OnnxRuntimeModel } from '../src/onnxruntime-model.js';
import type { InlineLimits } from '../src/inline-placement.js';

// Tiny models move to a session on the event loop once their worker runs are measured short.

let root = '';
const open: OnnxRuntimeModel[] = [];
const add = fixtureSpec('add_f32');
const quick: InlineLimits = {
  maxInputBytes: 1_024,
  enterUs: 1_000_000,
  stayUs: 1_000_000,
  abortUs: 1_000_000,
  abortRuns: 3,
  samples: 4,
  cooldown: 8,
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ort-inline-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFixtureModel('add_f16', 'onnx', join(root, 'add16', '1'));
});
afterAll(async () => {
  await Promise.all(open.map((model) => model.close()));
  await rm(root, { recursive: true, force: true });
});

async function load(
  name: string,
  options: OnnxRuntimeEngineOptions = { inlineLimits: quick },
  nireq = 1,
): Promise<OnnxRuntimeModel> {
  const engine = createOnnxRuntimeEngine(options);
  const model = (await engine.load(join(root, name, '1'), { nireq })) as OnnxRuntimeModel;
  open.push(model);
  return model;
}

/** Runs `count` sample adds one after another, each checked against the reference. */
async function runAdds(model: OnnxRuntimeModel, count: number): Promise<void> {
  for (let seed = 0; seed < count; seed += 1) {
    const inputs = add.sampleInputs({ seed });
    expect(await model.infer(inputs)).toEqual(add.reference(inputs));
  }
}

describe('onnxruntime engine: tiny runs on the event loop', () => {
  it('moves a tiny model inline after `samples` worker runs, with the same answers', async () => {
    const model = await load('add');
    await runAdds(model, 3);
    expect(model.runsInline(64)).toBe(false);
    await runAdds(model, 1);
    expect(model.runsInline(64)).toBe(true);
    expect(model.runsInline(1_025)).toBe(false);
    const timing: InferTiming = { waitUs: -1, inferenceUs: -1 };
    const inputs = add.sampleInputs({ seed: 9 });
    expect(await model.infer(inputs, undefined, timing)).toEqual(add.reference(inputs));
    expect(timing.inferenceUs).toBeGreaterThan(0);
    expect(timing.inferenceUs).toBeLessThan(1_000_000);
  });

  it('holds at most nireq requests at once inline too', async () => {
    const model = await load('add');
    await runAdds(model, 4);
    expect(model.runsInline(64)).toBe(true);
    const inputs = [0, 1, 2].map((seed) => add.sampleInputs({ seed }));
    const infers = inputs.map((map) => model.infer(map));
    expect([model.activeRequests, model.queuedRequests]).toEqual([1, 2]);
    expect(await Promise.all(infers)).toEqual(inputs.map((map) => add.reference(map)));
  });

  it('fails an inline run that ORT refuses with its reason, and serves the next', async () => {
    const model = await load('add');
    await runAdds(model, 4);
    expect(model.runsInline(64)).toBe(true);
    const bad = add.sampleInputs({ shapes: { a: [2, 4], b: [3, 4] } });
    const error = await model.infer(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
    expect((error as ServingError).detail).toMatch(/broadcast/i);
    await runAdds(model, 1);
  });

  it('lets timers run while an in-process caller infers inline in a loop', async () => {
    const model = await load('add');
    await runAdds(model, 4);
    expect(model.runsInline(64)).toBe(true);
    let fired = false;
    setTimeout(() => (fired = true), 1);
    const inputs = add.sampleInputs({ seed: 0 });
    // Bounded: an inline run that never yields to the event loop (a synchronous native call
    // chained by promises alone) spins here to the bound, and the timer never fires. Such a
    // run hung a lifecycle test whose clients infer in a loop.
    let runs = 0;
    while (!fired && runs < 100_000) {
      await model.infer(inputs);
      runs += 1;
    }
    expect(fired).toBe(true);
  });

  it('takes partial limits over the defaults', async () => {
    // Only these two set; the defaults' 16 KiB input bound and 3 long runs apply.
    const model = await load('add', { inlineLimits: { samples: 2, enterUs: 1_000_000 } });
    await runAdds(model, 2);
    expect(model.runsInline(16 * 1024)).toBe(true);
    expect(model.runsInline(16 * 1024 + 1)).toBe(false);
  });

  it('goes back to the workers after abortRuns inline runs in a row over abortUs', async () => {
    const model = await load('add', { inlineLimits: { ...quick, abortUs: 0 } });
    await runAdds(model, 4);
    expect(model.runsInline(64)).toBe(true);
    // The first inline run is cold and does not count; three more in a row over 0 µs do.
    await runAdds(model, 3);
    expect(model.runsInline(64)).toBe(true);
    await runAdds(model, 1);
    expect(model.runsInline(64)).toBe(false);
  });

  it('keeps models over inlineMaxModelBytes, float16 models and 0 on the workers', async () => {
    const half = await load('add16');
    const f16 = fixtureSpec('add_f16');
    for (let seed = 0; seed < 4; seed += 1) {
      const inputs = f16.sampleInputs({ seed });
      expect(await half.infer(inputs)).toEqual(f16.reference(inputs));
    }
    expect(half.runsInline(0)).toBe(false);

    const off = await load('add', { inlineMaxModelBytes: 0, inlineLimits: quick });
    await runAdds(off, 4);
    expect(off.runsInline(0)).toBe(false);

    // Everything in the version directory counts (external data): 2 MiB beside the model keep
    // it on the workers.
    await writeFixtureModel('add_f32', 'onnx', join(root, 'padded', '1'));
    await writeFile(join(root, 'padded', '1', 'weights.bin'), new Uint8Array(2 * 1024 * 1024));
    const padded = await load('padded');
    await runAdds(padded, 4);
    expect(padded.runsInline(0)).toBe(false);
  }, 60_000);

  it('refuses requests after close, inline or not', async () => {
    const model = await load('add');
    await runAdds(model, 4);
    await model.close();
    const error = await model.infer(add.sampleInputs()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE);
  });
});
