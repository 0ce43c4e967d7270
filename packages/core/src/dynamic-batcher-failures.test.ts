import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode } from './status.js';
import { createModelServable } from './model-servable.js';
import { checkBatchable, createDynamicBatcher } from './dynamic-batcher.js';
import type { InferTiming, InputSpec, LoadedModel, TensorSpec } from './engine.js';
import type { BatchRecord, MetricsRecorder } from './metrics-recorder.js';
import { bytesOf, createBytesTensor, createNumericTensor } from './tensor.js';
import type { TensorMap } from './tensor.js';
import { batcher, input, rejection, rowModel, settings, values } from '../test/batching-support.js';

describe('createDynamicBatcher: cancellation and failures', () => {
  it('a request aborted while queued leaves the queue; its batch-mates run without it', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 3 }));
    const controller = new AbortController();
    const aborted = b.infer(input(1, 0), controller.signal);
    const kept = b.infer(input(1, 2));
    controller.abort(new Error('client went away'));
    expect(await rejection(aborted)).toBe(controller.signal.reason);
    expect(model.calls).toHaveLength(0);
    const last = [b.infer(input(1, 4)), b.infer(input(1, 6))];
    await Promise.all([kept, ...last]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.inputs.get('x')!.shape).toEqual([3, 2]);
    expect(values(await kept, 's')).toEqual([5]);
  });

  it('a request aborted after its batch started gets its abort; its batch-mates are unaffected', async () => {
    const model = rowModel();
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const controller = new AbortController();
    const aborted = b.infer(input(1, 0), controller.signal);
    const mate = b.infer(input(1, 2));
    const call = await model.called(1);
    controller.abort(new Error('deadline'));
    expect(await rejection(aborted)).toBe(controller.signal.reason);
    expect(call.signal).toBeUndefined();
    call.release();
    expect(values(await mate, 'y')).toEqual([7, 10]);
  });

  it('a request whose signal is already aborted never queues', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings());
    const reason = new Error('gone');
    expect(await rejection(b.infer(input(1, 0), AbortSignal.abort(reason)))).toBe(reason);
    expect(model.calls).toHaveLength(0);
  });

  it('a failing batch fails each member with the engine error', async () => {
    const model = rowModel();
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const members = [b.infer(input(1, 0)), b.infer(input(1, 2))];
    const failure = new Error('engine exploded');
    (await model.called(1)).release(failure);
    expect(await Promise.all(members.map(rejection))).toEqual([failure, failure]);
  });

  it('fails every member when an output cannot be split by rows', async () => {
    const model = rowModel();
    model.loaded.infer = () =>
      Promise.resolve(
        new Map([['y', createNumericTensor('FP32', [1], bytesOf(new Float32Array(1)))]]),
      );
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const errors = await Promise.all([b.infer(input(1, 0)), b.infer(input(1, 2))].map(rejection));
    for (const error of errors) {
      expect(error).toBeInstanceOf(ServingError);
      expect((error as ServingError).code).toBe(StatusCode.INTERNAL_INFERENCE_ERROR);
      expect((error as ServingError).message).toBe(
        "Internal inference error - output y of shape (1) cannot be split into the batch's 2 rows",
      );
    }
  });

  it('joins and splits BYTES tensors by element lists', async () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const loaded: LoadedModel = {
      inputs: [{ name: 't', dtype: 'BYTES', shape: [-1] }],
      outputs: [{ name: 't', dtype: 'BYTES', shape: [-1] }],
      infer: (inputs) => Promise.resolve(new Map(inputs)),
      close: () => Promise.resolve(),
    };
    const b = createDynamicBatcher({
      name: 'm',
      version: 1,
      loaded,
      settings: settings({ maxBatchSize: 3 }),
    });
    const text = (...words: string[]) =>
      new Map([['t', createBytesTensor([words.length], words.map(encode))]]);
    const [one, two] = await Promise.all([b.infer(text('a')), b.infer(text('b', 'c'))]);
    const decode = (outputs: TensorMap) =>
      (outputs.get('t')!.data as readonly Uint8Array[]).map((bytes) =>
        new TextDecoder().decode(bytes),
      );
    expect(decode(one)).toEqual(['a']);
    expect(decode(two)).toEqual(['b', 'c']);
    expect(two.get('t')!.shape).toEqual([2]);
  });

  it('reports each batch size and its members queue delays, and copies the engine timing', async () => {
    const records: BatchRecord[] = [];
    const metrics: MetricsRecorder = {
      requestStarted() {},
      requestDone() {},
      inferenceDone() {},
      batchDone: (record) => records.push(record),
    };
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 2 }), metrics);
    const timing: InferTiming = { waitUs: -1, inferenceUs: -1 };
    await Promise.all([b.infer(input(1, 0), undefined, timing), b.infer(input(1, 2))]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ name: 'm', version: 1, size: 2 });
    expect(records[0]!.queueDelaysUs).toHaveLength(2);
    expect(records[0]!.queueDelaysUs.every((us) => us >= 0)).toBe(true);
    expect(timing).toEqual({ waitUs: 5, inferenceUs: 7 });
  });
});

describe('checkBatchable', () => {
  const loaded = (inputs: InputSpec[], outputs: TensorSpec[]) =>
    rowModel({ inputs, outputs }).loaded;

  it('accepts a dynamic first dimension, and batch_size auto', () => {
    expect(() =>
      checkBatchable('m', loaded([{ name: 'x', dtype: 'FP32', shape: [1, 2], autoDims: [0] }], [])),
    ).not.toThrow();
    expect(() =>
      checkBatchable(
        'm',
        loaded(
          [{ name: 'x', dtype: 'FP32', shape: [-1, 2] }],
          [{ name: 'y', dtype: 'FP32', shape: [] }],
        ),
      ),
    ).not.toThrow();
  });

  it('refuses an input whose first dimension is fixed, naming the model and input', () => {
    const servable = () =>
      createModelServable({
        name: 'resnet',
        version: 1,
        loaded: loaded([{ name: 'image', dtype: 'FP32', shape: [1, 3] }], []),
        dynamicBatching: { maxBatchSize: 4, maxQueueDelayUs: 0 },
      });
    expect(servable).toThrow(ServingError);
    expect(servable).toThrow(
      'Configuration file is invalid - model resnet: dynamic_batching needs the first dimension of every input dynamic or batch_size auto; input image has shape (1,3)',
    );
  });

  it('refuses an output whose first dimension is not the batch', () => {
    const check = () =>
      checkBatchable(
        'm',
        loaded(
          [{ name: 'x', dtype: 'FP32', shape: [-1, 2] }],
          [{ name: 'table', dtype: 'FP32', shape: [10, 2] }],
        ),
      );
    expect(check).toThrow(
      'Configuration file is invalid - model m: dynamic_batching cannot split output table of shape (10,2) by rows; its first dimension must be dynamic',
    );
    try {
      check();
    } catch (error) {
      expect((error as ServingError).code).toBe(StatusCode.CONFIG_FILE_INVALID);
    }
  });
});
