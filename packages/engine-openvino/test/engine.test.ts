import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MODEL_FILE_PATTERNS,
  ServingError,
  bytesOf,
  createNumericTensor,
  typedView,
  type Engine,
  type LoadedModel,
  type ModelLoadOptions,
  type StatusCode,
  type TensorMap,
} from '@ovms/core';
import { fixtureSpec, writeFixtureModel, type ModelFixtureName } from '@ovms/testing';
import { createOpenvinoEngine } from '../src/index.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

async function expectError(promise: Promise<unknown>, code: StatusCode, message: string | RegExp) {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ServingError);
  expect((error as ServingError).code).toBe(code);
  if (typeof message === 'string') expect((error as ServingError).message).toBe(message);
  else expect((error as ServingError).message).toMatch(message);
}

const f32 = (shape: number[], fill = 1) =>
  createNumericTensor(
    'FP32',
    shape,
    bytesOf(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill)),
  );

describe('engine errors without OpenVINO', () => {
  it('a library folder without libopenvino_c is INTERNAL_ERROR naming it', async () => {
    const engine = createOpenvinoEngine({ binding: 'c-api', libDir: '/nonexistent/ov' });
    const dir = await mkdtemp(join(tmpdir(), 'ov-none-'));
    await writeFile(join(dir, 'model.onnx'), '');
    await expectError(
      engine.load(dir, {}),
      'INTERNAL_ERROR',
      'Internal server error - OpenVINO is not available: no libopenvino_c.so in /nonexistent/ov',
    );
    await rm(dir, { recursive: true });
  });

  it('binding openvino-node where it does not load is INTERNAL_ERROR', async () => {
    const engine = createOpenvinoEngine({ binding: 'openvino-node' });
    const dir = await mkdtemp(join(tmpdir(), 'ov-node-'));
    await writeFile(join(dir, 'model.onnx'), '');
    const loaded = await import('../src/node-binding.js').then((m) => m.tryCreateNodeBinding());
    if (loaded === undefined) {
      await expectError(
        engine.load(dir, {}),
        'INTERNAL_ERROR',
        'Internal server error - OpenVINO is not available: openvino-node could not be loaded',
      );
    }
    await rm(dir, { recursive: true });
  });
});

describe('OpenVINO engine (C API)', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — OpenVINO engine tests skipped: ${openvinoMissing}`, () => {});
    return;
  }
  let root = '';
  let engine: Engine;
  const open: LoadedModel[] = [];
  const dir = (name: ModelFixtureName) => join(root, name, '1');
  const load = async (name: ModelFixtureName, options: ModelLoadOptions = {}, e = engine) => {
    const model = await e.load(dir(name), options);
    open.push(model);
    return model;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-engine-'));
    for (const name of ['add_f32', 'dynamic_dims', 'fixed_shape', 'nchw'] as const) {
      await writeFixtureModel(name, 'ir', dir(name));
    }
    engine = createOpenvinoEngine({ binding: 'c-api', libDir: openvinoLibDir ?? '' });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((model) => model.close()));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is named openvino and loads only IR pairs or ONNX files', async () => {
    expect(engine.name).toBe('openvino');
    const xmlOnly = join(root, 'xml-only');
    await mkdir(xmlOnly);
    await writeFile(join(xmlOnly, 'a.xml'), '<net/>');
    expect(await engine.canLoad(xmlOnly)).toBe(false);
    await writeFile(join(xmlOnly, 'a.bin'), '');
    expect(await engine.canLoad(xmlOnly)).toBe(true);
    expect(await engine.canLoad(join(root, 'missing'))).toBe(false);
    await expectError(
      engine.load(join(root, 'missing'), {}),
      'MODEL_FILE_INVALID',
      `Model file could not be loaded - no model files OpenVINO reads (${MODEL_FILE_PATTERNS}) in ${join(root, 'missing')}`,
    );
  });

  it('refuses a device that is not present, naming the available ones', async () => {
    await expectError(
      load('add_f32', { targetDevice: 'GPU' }),
      'CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE',
      'Cannot compile model into target device - target device GPU is not available; available devices: CPU',
    );
    await expectError(
      load('add_f32', { targetDevice: 'HETERO:GPU,CPU' }),
      'CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE',
      'Cannot compile model into target device - target device GPU is not available; available devices: CPU',
    );
  });

  it('compiles for AUTO, MULTI and HETERO over CPU', async () => {
    for (const targetDevice of ['AUTO', 'MULTI:CPU', 'HETERO:CPU']) {
      const model = await load('add_f32', { targetDevice });
      const out = await model.infer(
        new Map([
          ['a', f32([1, 4], 2)],
          ['b', f32([1, 4], 3)],
        ]),
      );
      const sum = out.get('sum');
      if (sum === undefined || sum.dtype !== 'FP32') throw new Error('no FP32 sum');
      expect([...typedView('FP32', sum.data)]).toEqual([5, 5, 5, 5]);
    }
  });

  it('passes plugin config to OpenVINO and reports the ones it refuses', async () => {
    await load('add_f32', {
      pluginConfig: { PERFORMANCE_HINT: 'LATENCY', INFERENCE_NUM_THREADS: 1 },
    });
    await expectError(
      load('add_f32', { pluginConfig: { NOT_A_PROPERTY: 'x' } }),
      'CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE',
      /^Cannot compile model into target device - compiling for CPU: .*NOT_A_PROPERTY/s,
    );
  });

  it('writes compiled blobs to the cache dir', async () => {
    const cacheDir = join(root, 'cache');
    const cached = createOpenvinoEngine({
      binding: 'c-api',
      libDir: openvinoLibDir ?? '',
      cacheDir,
    });
    await load('fixed_shape', {}, cached);
    expect((await readdir(cacheDir)).some((name) => name.endsWith('.blob'))).toBe(true);
  });

  it('queues beyond nireq and refuses beyond the queue bound with RESOURCE_EXHAUSTED', async () => {
    const small = createOpenvinoEngine({
      binding: 'c-api',
      libDir: openvinoLibDir ?? '',
      maxQueuedInfers: 2,
    });
    const model = await load('add_f32', { nireq: 1 }, small);
    const inputs = () =>
      new Map([
        ['a', f32([64, 4])],
        ['b', f32([64, 4])],
      ]);
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => model.infer(inputs())));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    const refused = results[3] as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ServingError);
    expect((refused.reason as ServingError).code).toBe('RESOURCE_EXHAUSTED');
    expect((refused.reason as ServingError).message).toBe(
      'Too many requests in queue - 2 requests are waiting for 1 infer requests',
    );
  });

  it('nireq 0 takes OpenVINO optimal number of infer requests', async () => {
    const small = createOpenvinoEngine({
      binding: 'c-api',
      libDir: openvinoLibDir ?? '',
      maxQueuedInfers: 0,
    });
    const model = await load('add_f32', { nireq: 0, pluginConfig: { NUM_STREAMS: 2 } }, small);
    // With no queue, every overlapping infer beyond the pool is refused: two streams → two requests.
    const results = await Promise.allSettled(
      [1, 2, 3].map(() =>
        model.infer(
          new Map([
            ['a', f32([1, 4])],
            ['b', f32([1, 4])],
          ]),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });

  it('an abort while queued rejects with the abort reason', async () => {
    const model = await load('add_f32', { nireq: 1 });
    const controller = new AbortController();
    const inputs = new Map([
      ['a', f32([256, 4])],
      ['b', f32([256, 4])],
    ]);
    const first = model.infer(inputs);
    const second = model.infer(inputs, controller.signal);
    controller.abort(new Error('client closed the stream'));
    await expect(second).rejects.toThrow('client closed the stream');
    await first;
  });

  it("shape 'auto' reshapes to each request's shape and reports it", async () => {
    const spec = fixtureSpec('fixed_shape');
    const model = await load('fixed_shape', { shape: { x: 'auto' } });
    expect(model.inputs[0]?.shape).toEqual([1, 3]);
    for (const shape of [
      [4, 3],
      [2, 3],
      [2, 3],
    ]) {
      const inputs = spec.sampleInputs({ shapes: { x: shape } });
      const out = await model.infer(inputs);
      expect(out.get('y')?.shape).toEqual(shape);
      expect(model.inputs[0]?.shape).toEqual(shape);
    }
  });

  it('a range dim is compiled as a bounded interval: -1 in the shape, its bounds in dimRanges', async () => {
    const model = await load('dynamic_dims', { shape: { x: [1, { min: 100, max: 200 }] } });
    expect(model.inputs).toEqual([
      {
        name: 'x',
        dtype: 'FP32',
        shape: [1, -1],
        batchDim: 0,
        dimRanges: [undefined, { min: 100, max: 200 }],
      },
    ]);
    const out = await model.infer(new Map([['x', f32([1, 150], 2)]]));
    const y = out.get('y');
    expect(y?.shape).toEqual([1, 150]);
    expect([...typedView('FP32', y?.data as Uint8Array).slice(0, 2)]).toEqual([3, 3]);
  });

  it('an auto reshape OpenVINO refuses is RESHAPE_ERROR', async () => {
    const model = await load('fixed_shape', { shape: { x: 'auto' } });
    await expectError(
      model.infer(new Map([['x', f32([2, 5])]])),
      'RESHAPE_ERROR',
      /^Model could not be reshaped with requested shape - reshape: /,
    );
  });

  it('reshape() changes input shapes after load, and refuses unknown inputs', async () => {
    const model = await load('fixed_shape');
    await model.reshape?.({ x: [5, 3] });
    expect(model.inputs).toEqual([{ name: 'x', dtype: 'FP32', shape: [5, 3], batchDim: 0 }]);
    await expectError(
      model.reshape?.({ z: [1] }) ?? Promise.resolve(),
      'RESHAPE_ERROR',
      'Model could not be reshaped with requested shape - input z is not in the model; inputs: x',
    );
  });

  it('a failure inside OpenVINO at infer time is INTERNAL_INFERENCE_ERROR', async () => {
    const model = await load('add_f32');
    // Both inputs are (-1,4): each passes validation, but their batches do not broadcast.
    const inputs: TensorMap = new Map([
      ['a', f32([2, 4])],
      ['b', f32([3, 4])],
    ]);
    await expectError(
      model.infer(inputs),
      'INTERNAL_INFERENCE_ERROR',
      /^Internal inference error - infer: /,
    );
  });

  it('a shape for an input the model lacks is RESHAPE_ERROR at load', async () => {
    await expectError(
      load('nchw', { shape: { y: [1, 3, 4, 4] } }),
      'RESHAPE_ERROR',
      'Model could not be reshaped with requested shape - shape is set for y, which the model does not have; inputs: x',
    );
  });
});
