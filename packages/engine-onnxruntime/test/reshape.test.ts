import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ServingError,
  StatusCode,
  bytesOf,
  createModelServable,
  createNumericTensor,
  typedView,
  type LoadedModel,
  type ModelLoadOptions,
  type TensorMap,
} from '@ovms/core';
import { fixtureSpec, writeFixtureModel, writeMlpModel } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '../src/index.js';
import { writeExternalDataModel, writeReshapeModel } from './onnx-test-models.js';

const FEATURES = 1024;
const CLASSES = 10;
let root = '';
let mlpDir = '';
const open: LoadedModel[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-ort-reshape-'));
  mlpDir = join(root, 'dense', '1');
  // A dense model exported for one shape: x [1,1024] → y [1,10].
  await writeMlpModel(mlpDir, {
    inputSize: FEATURES,
    hiddenSize: 16,
    outputSize: CLASSES,
    batch: 1,
  });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((model) => model.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function load(options: ModelLoadOptions, dir = mlpDir): Promise<LoadedModel> {
  const model = await createOnnxRuntimeEngine().load(dir, options);
  open.push(model);
  return model;
}

async function loadError(options: ModelLoadOptions, dir = mlpDir): Promise<ServingError> {
  const error = await load(options, dir).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

/** The model as requests reach it: checked by core's model servable first. */
function served(model: LoadedModel) {
  return createModelServable({ name: 'dense', version: 1, loaded: model });
}

/** `rows` rows of deterministic features, row r different from every other. */
function features(rows: number, width = FEATURES): Float32Array {
  return Float32Array.from({ length: rows * width }, (_, i) => Math.sin(i * 0.37 + 1));
}

function request(name: string, shape: number[], values: Float32Array): TensorMap {
  return new Map([[name, createNumericTensor('FP32', shape, bytesOf(values))]]);
}

async function scores(model: LoadedModel, rows: number): Promise<number[][]> {
  const y = (await model.infer(request('x', [rows, FEATURES], features(rows)))).get('y');
  if (y === undefined || y.dtype === 'BYTES') throw new Error('output y missing');
  expect(y.shape).toEqual([rows, CLASSES]);
  const values = [...typedView('FP32', y.data)];
  return Array.from({ length: rows }, (_, r) => values.slice(r * CLASSES, (r + 1) * CLASSES));
}

/** What the model as exported answers for each row, one request of one row at a time. */
async function rowByRow(rows: number): Promise<number[][]> {
  const model = await load({});
  const all = features(rows);
  const answers: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = all.slice(r * FEATURES, (r + 1) * FEATURES);
    const y = (await model.infer(request('x', [1, FEATURES], row))).get('y');
    if (y === undefined || y.dtype === 'BYTES') throw new Error('output y missing');
    answers.push([...typedView('FP32', y.data)]);
  }
  return answers;
}

function expectRowsClose(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, r) =>
    row.forEach((value, c) => expect(value).toBeCloseTo(expected[r]?.[c] ?? NaN, 4)),
  );
}

describe('onnxruntime engine: a model exported for one shape, served with others', () => {
  it('shape (3,1024) answers 3 rows, the rows the model gives one at a time', async () => {
    const model = await load({ shape: { x: [3, FEATURES] } });
    expect(model.inputs).toEqual([{ name: 'x', dtype: 'FP32', shape: [3, FEATURES], batchDim: 0 }]);
    expect(model.outputs).toEqual([{ name: 'y', dtype: 'FP32', shape: [3, CLASSES] }]);
    expectRowsClose(await scores(model, 3), await rowByRow(3));
    const error = await served(model)
      .infer({ inputs: request('x', [2, FEATURES], features(2)) })
      .catch((e: unknown) => e);
    expect((error as ServingError).code).toBe(StatusCode.INVALID_BATCH_SIZE);
    expect((error as ServingError).message).toBe(
      'Invalid input batch size - Expected: 3; Actual: 2; input name: x',
    );
  });

  it('a batch range 2:5 takes 2 to 5 rows, reports -1 with the bounds, refuses 6', async () => {
    const model = await load({ shape: { x: [{ min: 2, max: 5 }, FEATURES] } });
    expect(model.inputs).toEqual([
      {
        name: 'x',
        dtype: 'FP32',
        shape: [-1, FEATURES],
        dimRanges: [{ min: 2, max: 5 }, undefined],
        batchDim: 0,
      },
    ]);
    expectRowsClose(await scores(model, 2), await rowByRow(2));
    expectRowsClose(await scores(model, 5), await rowByRow(5));
    await expect(
      served(model).infer({ inputs: request('x', [6, FEATURES], features(6)) }),
    ).rejects.toThrow('Invalid input batch size - Expected: 2:5; Actual: 6; input name: x');
  });

  it('batch_size 4 answers 4 rows and refuses 1', async () => {
    const model = await load({ batchSize: 4 });
    expect(model.inputs[0]?.shape).toEqual([4, FEATURES]);
    expectRowsClose(await scores(model, 4), await rowByRow(4));
    await expect(
      served(model).infer({ inputs: request('x', [1, FEATURES], features(1)) }),
    ).rejects.toThrow('Invalid input batch size - Expected: 4; Actual: 1; input name: x');
  });

  it("batch_size 'auto' answers 1, 2 and 6 rows and reports the last request's shape", async () => {
    const model = await load({ batchSize: 'auto' });
    expect(model.inputs).toEqual([
      { name: 'x', dtype: 'FP32', shape: [1, FEATURES], batchDim: 0, autoDims: [0] },
    ]);
    expect(model.outputs[0]?.shape).toEqual([1, CLASSES]);
    const expected = await rowByRow(6);
    for (const rows of [1, 2, 6]) {
      expectRowsClose(await scores(model, rows), expected.slice(0, rows));
      expect(model.inputs[0]?.shape).toEqual([rows, FEATURES]);
      expect(model.outputs[0]?.shape).toEqual([rows, CLASSES]);
    }
    // Only the batch follows requests: the servable still refuses another width, before ORT runs.
    await expect(
      served(model).infer({ inputs: request('x', [2, 8], features(2, 8)) }),
    ).rejects.toThrow('Invalid input shape - Expected: (6,1024); Actual: (2,8); input name: x');
    expect(model.inputs[0]?.shape).toEqual([6, FEATURES]);
  });

  it("shape 'auto' follows every dim of each request but not another rank (as OVMS)", async () => {
    const dir = join(root, 'fixed', '1');
    await writeFixtureModel('fixed_shape', 'onnx', dir);
    const spec = fixtureSpec('fixed_shape');
    const model = await load({ shape: { x: 'auto' } }, dir);
    expect(model.inputs).toEqual([
      { name: 'x', dtype: 'FP32', shape: [1, 3], batchDim: 0, autoDims: 'all' },
    ]);
    for (const shape of [
      [4, 3],
      [2, 3],
    ]) {
      const inputs = spec.sampleInputs({ shapes: { x: shape } });
      expect(await model.infer(inputs)).toEqual(spec.reference(inputs));
      expect(model.inputs[0]?.shape).toEqual(shape);
      expect(model.outputs[0]?.shape).toEqual(shape);
    }
    const error = await served(model)
      .infer({ inputs: spec.sampleInputs({ shapes: { x: [2, 1, 3] } }) })
      .catch((reason: unknown) => reason);
    expect((error as ServingError).code).toBe(StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS);
    expect((error as ServingError).message).toBe(
      'Invalid number of shape dimensions - Expected: (2,3); Actual: (2,1,3); input name: x',
    );
  });

  it("shape 'auto' on the dense model answers 5 rows", async () => {
    const model = await load({ shape: { x: 'auto' } });
    expectRowsClose(await scores(model, 5), await rowByRow(5));
  });
});

describe('onnxruntime engine: layout', () => {
  /** NHWC → NCHW by hand, as a client of the model without the layout would send it. */
  function nhwcToNchw(
    values: Float32Array,
    [n, h, w, c]: [number, number, number, number],
  ): Float32Array {
    const out = new Float32Array(values.length);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let ch = 0; ch < c; ch++)
            out[((b * c + ch) * h + y) * w + x] = values[((b * h + y) * w + x) * c + ch] ?? NaN;
    return out;
  }

  it('NHWC:NCHW with batch auto: answers equal the model fed the transposed tensor', async () => {
    const dir = join(root, 'nchw', '1');
    await writeFixtureModel('nchw', 'onnx', dir);
    const spec = fixtureSpec('nchw');
    const model = await load({ layout: { x: 'NHWC:NCHW' }, batchSize: 'auto' }, dir);
    expect(model.inputs).toEqual([
      {
        name: 'x',
        dtype: 'FP32',
        shape: [1, 4, 4, 3],
        batchDim: 0,
        autoDims: [0],
        layout: 'NHWC',
      },
    ]);
    const nhwc = features(2, 4 * 4 * 3);
    const answer = await model.infer(request('x', [2, 4, 4, 3], nhwc));
    const byHand = spec.reference(request('x', [2, 3, 4, 4], nhwcToNchw(nhwc, [2, 4, 4, 3])));
    expect(answer).toEqual(byHand);
    expect(model.inputs[0]?.shape).toEqual([2, 4, 4, 3]);
    expect(model.outputs[0]?.shape).toEqual([2, 3, 4, 4]);
  });

  it('refuses a layout whose rank is not the input rank', async () => {
    const error = await loadError({ layout: { x: 'NHWC:NCHW' } });
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'Invalid argument - layout NHWC:NCHW of x names 4 dims; the input has 2',
    );
  });

  it('refuses an output layout conversion', async () => {
    const error = await loadError({ layout: { y: 'NC:CN' } });
    expect(error.code).toBe(StatusCode.NOT_IMPLEMENTED);
    expect(error.message).toContain(
      'layout NC:CN for output y is not supported by onnxruntime engine',
    );
  });
});

describe('onnxruntime engine: models that cannot take the shape', () => {
  it('a Reshape to a baked shape: RESHAPE_ERROR at load, from the probe run', async () => {
    const dir = join(root, 'baked', '1');
    await writeReshapeModel(dir, [1, FEATURES]);
    const error = await loadError({ shape: { x: [3, FEATURES] } }, dir);
    expect(error.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(error.message).toMatch(
      /^Model could not be reshaped with requested shape - onnxruntime cannot run the model with the requested shapes: .*The input tensor cannot be reshaped to the requested shape/,
    );
  });

  it('a graph whose shape inference fails: RESHAPE_ERROR at load with ORT reason', async () => {
    const dir = join(root, 'flatten', '1');
    await writeReshapeModel(dir, [1, -1]);
    const error = await loadError({ batchSize: 3 }, dir);
    expect(error.code).toBe(StatusCode.RESHAPE_ERROR);
    expect(error.message).toMatch(
      /^Model could not be reshaped with requested shape - cannot load .*model\.onnx: .*MatMul.*Incompatible dimensions/,
    );
  });

  it('batch auto on the baked Reshape loads; a batch the graph cannot take fails when it runs', async () => {
    const dir = join(root, 'baked-auto', '1');
    await writeReshapeModel(dir, [1, FEATURES]);
    const model = await load({ batchSize: 'auto' }, dir);
    const one = await model.infer(request('x', [1, FEATURES], features(1)));
    expect(one.get('y')?.shape).toEqual([1, 2]);
    const error = await served(model)
      .infer({ inputs: request('x', [2, FEATURES], features(2)) })
      .catch((e: unknown) => e);
    expect((error as ServingError).code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
    expect((error as ServingError).message).toContain('cannot be reshaped to the requested shape');
    expect(model.inputs[0]?.shape).toEqual([1, FEATURES]);
  });
});

describe('onnxruntime engine: rewritten models', () => {
  it('keep their external data files (loaded from the model directory)', async () => {
    const dir = join(root, 'external', '1');
    await writeExternalDataModel(dir);
    const model = await load({ shape: { x: [3, 4] } }, dir);
    const x = Float32Array.from({ length: 12 }, (_, i) => i);
    const y = (await model.infer(request('x', [3, 4], x))).get('y');
    if (y === undefined || y.dtype === 'BYTES') throw new Error('output y missing');
    expect(y.shape).toEqual([3, 2]);
    expect([...typedView('FP32', y.data)]).toEqual([6, 6, 22, 22, 38, 38]);
  });

  it('load once per infer request (nireq 3) and answer on every thread', async () => {
    const model = await load({ batchSize: 2, nireq: 3 });
    const expected = await rowByRow(2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => scores(model, 2)));
    for (const answer of answers) expectRowsClose(answer, expected);
  });

  it('target device AUTO stays refused, naming the supported one', async () => {
    const error = await loadError({ targetDevice: 'AUTO', batchSize: 'auto' });
    expect(error.code).toBe(StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE);
    expect(error.message).toBe(
      'Cannot compile model into target device - target device AUTO is not supported by onnxruntime engine; supported: CPU',
    );
  });
});
