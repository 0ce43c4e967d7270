import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError, StatusCode, type LoadedModel, type ModelLoadOptions } from '@ovms/core';
import { copyFrameworkFixture, fixtureSpec, writeFixtureModel } from '@ovms/testing';
import { OnnxRuntimeModel, createOnnxRuntimeEngine } from '../src/index.js';

let root = '';
let addDir = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ort-engine-'));
  addDir = join(root, 'add', '1');
  await writeFixtureModel('add_f32', 'onnx', addDir);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function loadError(options: ModelLoadOptions, dir = addDir): Promise<ServingError> {
  const error = await createOnnxRuntimeEngine()
    .load(dir, options)
    .then(
      (model) => model.close().then(() => undefined),
      (reason: unknown) => reason,
    );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

describe('onnxruntime engine: load options', () => {
  it('refuses an unknown plugin_config key and lists the supported ones', async () => {
    const error = await loadError({ pluginConfig: { PERFORMANCE_HINT: 'LATENCY' } });
    expect(error.code).toBe(StatusCode.PLUGIN_CONFIG_WRONG_FORMAT);
    expect(error.message).toBe(
      'Plugin config is in wrong format - plugin_config key PERFORMANCE_HINT is not supported by onnxruntime engine; supported keys: INFERENCE_NUM_THREADS, intraOpNumThreads, interOpNumThreads, graphOptimizationLevel, executionMode',
    );
  });

  it('refuses a thread count that is not a non-negative integer', async () => {
    const error = await loadError({ pluginConfig: { INFERENCE_NUM_THREADS: 'many' } });
    expect(error.code).toBe(StatusCode.PLUGIN_CONFIG_WRONG_FORMAT);
    expect(error.message).toContain(
      'plugin_config INFERENCE_NUM_THREADS must be a non-negative integer; actual: "many"',
    );
  });

  it('refuses an unknown graph optimisation level, naming the allowed ones', async () => {
    const error = await loadError({ pluginConfig: { graphOptimizationLevel: 'max' } });
    expect(error.code).toBe(StatusCode.PLUGIN_CONFIG_WRONG_FORMAT);
    expect(error.message).toContain('must be one of disabled, basic, extended, layout, all');
  });

  it('refuses INFERENCE_NUM_THREADS and intraOpNumThreads that disagree', async () => {
    const error = await loadError({
      pluginConfig: { INFERENCE_NUM_THREADS: 2, intraOpNumThreads: 3 },
    });
    expect(error.code).toBe(StatusCode.PLUGIN_CONFIG_WRONG_FORMAT);
    expect(error.message).toContain('disagree: 2 vs 3');
  });

  it('applies supported plugin_config keys, numbers given as strings included', async () => {
    const model = await createOnnxRuntimeEngine().load(addDir, {
      pluginConfig: {
        INFERENCE_NUM_THREADS: '1',
        interOpNumThreads: 1,
        graphOptimizationLevel: 'basic',
        executionMode: 'sequential',
      },
    });
    const spec = fixtureSpec('add_f32');
    const inputs = spec.sampleInputs();
    expect((await model.infer(inputs)).get('sum')?.shape).toEqual([2, 4]);
    await model.close();
  });

  it('refuses a device other than CPU, listing the supported one', async () => {
    const error = await loadError({ targetDevice: 'GPU' });
    expect(error.code).toBe(StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE);
    expect(error.message).toBe(
      'Cannot compile model into target device - target device GPU is not supported by onnxruntime engine; supported: CPU',
    );
  });

  it('refuses a negative nireq', async () => {
    const error = await loadError({ nireq: -1 });
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toContain('nireq must be a non-negative integer; actual: -1');
  });

  it('refuses a shape for an input the model does not have', async () => {
    const error = await loadError({ shape: { z: [1, 4] } });
    expect(error.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(error.message).toBe(
      'Model could not be reshaped with requested shape - shape names input z, which the model does not have; inputs: a, b',
    );
  });

  it('refuses a shape the graph cannot take, with the reason ORT gives', async () => {
    // b stays (-1,4): Add cannot broadcast a (1,5) against it.
    const error = await loadError({ shape: { a: [1, 5] } });
    expect(error.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(error.message).toMatch(
      /^Model could not be reshaped with requested shape - cannot load .*model\.onnx: .*Incompatible dimensions/,
    );
  });

  it('refuses a batch_size that is not a positive integer', async () => {
    const error = await loadError({ batchSize: 0 });
    expect(error.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(error.message).toContain('batch_size must be a positive integer or auto; actual: 0');
  });

  it('refuses a layout for a tensor the model does not have', async () => {
    const error = await loadError({ layout: { q: 'NC' } });
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'Invalid argument - layout is set for q, which the model does not have; inputs: a, b',
    );
  });

  it("keeps the model's dims for shape 'auto'", async () => {
    const model = await createOnnxRuntimeEngine().load(addDir, { shape: { a: 'auto' } });
    expect(model.inputs[0]?.shape).toEqual([-1, 4]);
    await model.close();
  });
});

describe('onnxruntime engine: inference failures', () => {
  it('an ORT run error is INTERNAL_INFERENCE_ERROR carrying its reason', async () => {
    const dir = join(root, 'two', 'x');
    await writeFixtureModel('two_in_two_out', 'onnx', dir);
    const model = await createOnnxRuntimeEngine().load(dir, {});
    // Both inputs match (-1,3), so validation passes; Add cannot broadcast batch 2 with 3.
    const inputs = fixtureSpec('two_in_two_out').sampleInputs({
      shapes: { a: [2, 3], b: [3, 3] },
    });
    const error = await model.infer(inputs).catch((reason: unknown) => reason);
    await model.close();
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
    expect((error as ServingError).message).toMatch(
      /^Internal inference error - .*(broadcast|Broadcast)/,
    );
  });
});

/** canLoad and load both refuse `dir` for holding the models `named`, naming them. */
async function expectSeveralModels(dir: string, named: string): Promise<void> {
  const detail = `version directory ${dir} holds several models (${named}); keep one`;
  await expect(createOnnxRuntimeEngine().canLoad(dir)).rejects.toThrow(detail);
  const error = await loadError({}, dir);
  expect(error.code).toBe(StatusCode.MODEL_FILE_INVALID);
  expect(error.message).toBe(`Model file could not be loaded - ${detail}`);
}

describe('onnxruntime engine: model files', () => {
  it('canLoad is false for a directory that does not exist', async () => {
    expect(await createOnnxRuntimeEngine().canLoad(join(root, 'missing'))).toBe(false);
  });

  it('a directory without .onnx is a load error naming it', async () => {
    const empty = join(root, 'empty', '1');
    await mkdir(empty, { recursive: true });
    const error = await loadError({}, empty);
    expect(error.code).toBe(StatusCode.MODEL_FILE_INVALID);
    expect(error.message).toBe(`Model file could not be loaded - no .onnx model file in ${empty}`);
  });

  it('several .onnx files are an error naming them, from canLoad and load', async () => {
    const dir = join(root, 'two', '1');
    await writeFixtureModel('add_f32', 'onnx', dir);
    await copyFile(join(dir, 'model.onnx'), join(dir, 'other.onnx'));
    await expectSeveralModels(dir, 'model.onnx, other.onnx');
  });

  it('an .onnx beside a model of another format is the same error, as OpenVINO gives it', async () => {
    const dir = join(root, 'mixed', '1');
    await writeFixtureModel('add_f32', 'onnx', dir);
    await copyFrameworkFixture('tflite', dir);
    const tflite = (await readdir(dir)).find((name) => name.endsWith('.tflite'));
    await expectSeveralModels(dir, `model.onnx, ${tflite}`);
  });

  it("a model of another format alone is not onnxruntime's: canLoad false, load names it", async () => {
    const dir = join(root, 'tflite', '1');
    await copyFrameworkFixture('tflite', dir);
    expect(await createOnnxRuntimeEngine().canLoad(dir)).toBe(false);
    const error = await loadError({}, dir);
    expect(error.code).toBe(StatusCode.MODEL_FILE_INVALID);
    expect(error.message).toBe(
      `Model file could not be loaded - no .onnx model file in ${dir}: it holds a TensorFlow Lite model, which onnxruntime does not read`,
    );
  });
});

describe('onnxruntime engine: request queue', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await createOnnxRuntimeEngine({ maxQueuedRequests: 1 }).load(addDir, { nireq: 1 });
  });
  afterAll(async () => {
    await model.close();
  });

  it('refuses a request beyond the queue bound with RESOURCE_EXHAUSTED', async () => {
    const spec = fixtureSpec('add_f32');
    const inputs = spec.sampleInputs();
    const running = model.infer(inputs);
    const waiting = model.infer(inputs);
    const refused = model.infer(inputs).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(model).toBeInstanceOf(OnnxRuntimeModel);
    expect((model as OnnxRuntimeModel).activeRequests).toBe(1);
    expect((model as OnnxRuntimeModel).queuedRequests).toBe(1);
    const error = await refused;
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.RESOURCE_EXHAUSTED);
    expect((error as ServingError).message).toBe(
      'Too many requests in queue - 1 requests already wait for 1 infer requests (limit 1)',
    );
    const answers = await Promise.all([running, waiting]);
    expect(answers.map((outputs) => outputs.get('sum')?.shape)).toEqual([
      [2, 4],
      [2, 4],
    ]);
  });

  it('drops a request aborted while it waits, with the signal reason', async () => {
    const inputs = fixtureSpec('add_f32').sampleInputs();
    const controller = new AbortController();
    const running = model.infer(inputs);
    const waiting = model.infer(inputs, controller.signal);
    controller.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect((model as OnnxRuntimeModel).queuedRequests).toBe(0);
    await expect(running).resolves.toBeInstanceOf(Map);
  });
});
