import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ServingError,
  bytesOf,
  createNumericTensor,
  typedView,
  type Engine,
  type LoadedModel,
  type ModelLoadOptions,
} from '@ovms/core';
import {
  FRAMEWORK_FIXTURE_FORMATS,
  copyFrameworkFixture,
  frameworkFixtureOutput,
  type FrameworkFixtureFormat,
} from '@ovms/testing';
import { createMissingOpenvinoEngine, createOpenvinoEngine } from '../src/index.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

// The names each framework gives y = 2x + 1's tensors, as OpenVINO's frontends report them.
const NAMES: Record<FrameworkFixtureFormat, { input: string; output: RegExp }> = {
  'saved-model': { input: 'x', output: /^y$/ },
  'frozen-graph': { input: 'x:0', output: /^(Identity|add):0$/ },
  tflite: { input: 'serving_default_x:0', output: /^StatefulPartitionedCall:0$/ },
  paddle: { input: 'x', output: /^save_infer_model\/scale_0\.tmp_0$/ },
};

async function inferRows(model: LoadedModel, rows: number[][]): Promise<number[]> {
  const [input] = model.inputs;
  const [output] = model.outputs;
  if (input === undefined || output === undefined) throw new Error('no input or output');
  const x = new Float32Array(rows.flat());
  const out = await model.infer(
    new Map([[input.name, createNumericTensor('FP32', [rows.length, 4], bytesOf(x))]]),
  );
  const y = out.get(output.name);
  if (y === undefined || y.dtype !== 'FP32') throw new Error(`no FP32 ${output.name}`);
  expect(y.shape).toEqual([rows.length, 4]);
  return [...typedView('FP32', y.data)];
}

describe('OpenVINO engine: TensorFlow, TensorFlow Lite and PaddlePaddle models', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — framework format tests skipped: ${openvinoMissing}`, () => {});
    return;
  }
  let root = '';
  let engine: Engine;
  const open: LoadedModel[] = [];
  const load = async (format: FrameworkFixtureFormat, options: ModelLoadOptions = {}) => {
    const model = await engine.load(join(root, format, '1'), options);
    open.push(model);
    return model;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-frameworks-'));
    for (const format of FRAMEWORK_FIXTURE_FORMATS) {
      await copyFrameworkFixture(format, join(root, format, '1'));
    }
    engine = createOpenvinoEngine({ binding: 'c-api', libDir: openvinoLibDir ?? '' });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((model) => model.close()));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each(FRAMEWORK_FIXTURE_FORMATS)(
    'loads %s with its own tensor names and infers 2x + 1',
    async (format) => {
      expect(await engine.canLoad(join(root, format, '1'))).toBe(true);
      const model = await load(format);
      expect(model.inputs).toMatchObject([
        { name: NAMES[format].input, dtype: 'FP32', shape: [-1, 4] },
      ]);
      expect(model.outputs).toHaveLength(1);
      expect(model.outputs[0]?.name).toMatch(NAMES[format].output);
      const rows = [
        [0, 1, 2, -1],
        [0.5, -3, 10, 7],
      ];
      expect(await inferRows(model, rows)).toEqual(frameworkFixtureOutput(rows.flat()));
    },
  );

  it('applies a fixed shape to a TFLite model and batch_size auto to a SavedModel', async () => {
    const input = NAMES.tflite.input;
    const fixed = await load('tflite', { shape: { [input]: [3, 4] } });
    expect(fixed.inputs).toMatchObject([{ name: input, shape: [3, 4] }]);
    const rows = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [-1, -2, -3, -4],
    ];
    expect(await inferRows(fixed, rows)).toEqual(frameworkFixtureOutput(rows.flat()));

    const auto = await load('saved-model', { batchSize: 'auto' });
    expect(auto.inputs).toMatchObject([{ name: 'x', batchDim: 0, autoDims: [0] }]);
    expect(await inferRows(auto, rows.slice(0, 2))).toEqual(
      frameworkFixtureOutput(rows.slice(0, 2).flat()),
    );
    expect(await inferRows(auto, rows)).toEqual(frameworkFixtureOutput(rows.flat()));
  });

  it('a fixed batch size reshapes a Paddle model', async () => {
    const model = await load('paddle', { batchSize: 2 });
    expect(model.inputs).toMatchObject([{ name: 'x', shape: [2, 4] }]);
  });
});

describe('createMissingOpenvinoEngine', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-missing-'));
    await copyFrameworkFixture('tflite', join(root, 'tflite'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('claims a TFLite directory and fails its load naming the format and the missing runtime', async () => {
    const engine = createMissingOpenvinoEngine('searched /nowhere');
    expect(engine.name).toBe('openvino');
    const dir = join(root, 'tflite');
    expect(await engine.canLoad(dir)).toBe(true);
    expect(await engine.canLoad(join(root, 'absent'))).toBe(false);
    const error = await engine.load(dir, {}).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe('MODEL_FILE_INVALID');
    expect((error as ServingError).message).toBe(
      `Model file could not be loaded - TensorFlow Lite model ${join(dir, 'model.tflite')} needs the OpenVINO runtime, which was not found: searched /nowhere`,
    );
  });
});
