import { describe, expect, it } from 'vitest';
import { checkBatchable, createDynamicBatcher } from './dynamic-batcher.js';
import type { DynamicBatchingSettings } from './dynamic-batcher.js';
import type { InferTiming, InputSpec, LoadedModel, TensorSpec } from './engine.js';
import type { BatchRecord, MetricsRecorder } from './metrics-recorder.js';
import { createModelServable } from './model-servable.js';
import { ServingError, StatusCode } from './status.js';
import { bytesOf, createBytesTensor, createNumericTensor, typedView } from './tensor.js';
import type { TensorMap } from './tensor.js';

interface Call {
  readonly inputs: TensorMap;
  readonly signal: AbortSignal | undefined;
  /** Lets the call finish: with the row-wise answer, or failing with `error`. */
  release(error?: Error): void;
}

/**
 * A model answering `y = 3x + 1` and `s` = each row's sum, row by row, so a request's answer
 * does not depend on its batch-mates. Calls wait until the test releases them, which is how
 * the tests hold the engine busy; `autoRelease` answers at once.
 */
function rowModel(
  options: {
    autoRelease?: boolean;
    inputs?: InputSpec[];
    outputs?: TensorSpec[];
    nireq?: number;
  } = {},
) {
  const calls: Call[] = [];
  const waiters: (() => void)[] = [];
  const loaded: LoadedModel = {
    inputs: options.inputs ?? [{ name: 'x', dtype: 'FP32', shape: [-1, 2] }],
    outputs: options.outputs ?? [
      { name: 'y', dtype: 'FP32', shape: [-1, 2] },
      { name: 's', dtype: 'FP32', shape: [-1] },
    ],
    infer: (inputs, signal, timing?: InferTiming) =>
      new Promise<TensorMap>((resolve, reject) => {
        const release = (error?: Error) => {
          if (error !== undefined) return reject(error);
          if (timing !== undefined) Object.assign(timing, { waitUs: 5, inferenceUs: 7 });
          resolve(answer(inputs));
        };
        calls.push({ inputs, signal, release });
        for (const wake of waiters.splice(0)) wake();
        if (options.autoRelease === true) release();
      }),
    close: () => Promise.resolve(),
    ...(options.nireq !== undefined && {
      usage: () => ({ active: 0, queued: 0, nireq: options.nireq! }),
    }),
  };
  /** Resolves once the engine has been called `count` times in all. */
  const called = async (count: number): Promise<Call> => {
    while (calls.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return calls[count - 1]!;
  };
  return { loaded, calls, called };
}

function answer(inputs: TensorMap): TensorMap {
  const x = inputs.get('x')!;
  const values = typedView('FP32', x.data as Uint8Array);
  const rows = x.shape[0]!;
  const width = values.length / Math.max(rows, 1);
  const y = values.map((v) => 3 * v + 1);
  const s = new Float32Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) s[r]! += values[r * width + c]!;
  return new Map([
    ['y', createNumericTensor('FP32', x.shape, bytesOf(y))],
    ['s', createNumericTensor('FP32', [rows], bytesOf(s))],
  ]);
}

const input = (rows: number, first: number, width = 2): TensorMap =>
  new Map([
    [
      'x',
      createNumericTensor(
        'FP32',
        [rows, width],
        bytesOf(Float32Array.from({ length: rows * width }, (_, i) => first + i)),
      ),
    ],
  ]);

const values = (outputs: TensorMap, name: string) => [
  ...typedView('FP32', outputs.get(name)!.data as Uint8Array),
];

const settings = (overrides: Partial<DynamicBatchingSettings> = {}): DynamicBatchingSettings => ({
  maxBatchSize: 4,
  maxQueueDelayUs: 60_000_000,
  ...overrides,
});

function batcher(
  model: ReturnType<typeof rowModel>,
  batching: DynamicBatchingSettings,
  metrics?: MetricsRecorder,
) {
  return createDynamicBatcher({
    name: 'm',
    version: 1,
    loaded: model.loaded,
    settings: batching,
    ...(metrics !== undefined && { metrics }),
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
}

describe('createDynamicBatcher', () => {
  it('joins requests into one infer once max rows are waiting, each answered with its own rows', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 4 }));
    const answers = await Promise.all([
      b.infer(input(1, 0)),
      b.infer(input(2, 10)),
      b.infer(input(1, 20)),
    ]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.inputs.get('x')!.shape).toEqual([4, 2]);
    expect(model.calls[0]!.signal).toBeUndefined();
    expect(answers.map((a) => a.get('y')!.shape)).toEqual([
      [1, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(values(answers[0], 'y')).toEqual([1, 4]);
    expect(values(answers[1], 'y')).toEqual([31, 34, 37, 40]);
    expect(values(answers[1], 's')).toEqual([21, 25]);
    expect(values(answers[2], 's')).toEqual([41]);
  });

  it('never exceeds max_batch_size: a request that would overflow waits for the next batch', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 3 }));
    const first = b.infer(input(2, 0));
    const second = b.infer(input(2, 4));
    const third = b.infer(input(1, 8));
    await Promise.all([first, second, third]);
    // 2 + 2 rows are due (past 3) but cannot share a batch; the third joins the second, in order.
    expect(model.calls.map((c) => c.inputs.get('x')!.shape[0])).toEqual([2, 3]);
    expect(values(await second, 'y')).toEqual([13, 16, 19, 22]);
    expect(values(await third, 's')).toEqual([17]);
  });

  it('starts a lone request once it has waited max_queue_delay_microseconds', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 8, maxQueueDelayUs: 3000 }));
    const started = performance.now();
    const outputs = await b.infer(input(1, 1));
    const waitedMs = performance.now() - started;
    expect(waitedMs).toBeGreaterThanOrEqual(3);
    expect(waitedMs).toBeLessThan(1000);
    expect(model.calls).toHaveLength(1);
    expect(values(outputs, 'y')).toEqual([4, 7]);
  });

  it('does not hold requests for company while they arrive further apart than the delay', async () => {
    const model = rowModel({ autoRelease: true });
    const delayUs = 2000;
    const b = batcher(model, settings({ maxBatchSize: 8, maxQueueDelayUs: delayUs }));
    // One request at a time: each waits the delay until the mean gap between arrivals passes it.
    const elapsedMs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await b.infer(input(1, i));
      elapsedMs.push(performance.now() - started);
    }
    expect(elapsedMs[0]).toBeGreaterThanOrEqual(delayUs / 1000);
    expect(elapsedMs.some((ms) => ms < delayUs / 1000)).toBe(true);
    expect(model.calls.every((call) => call.inputs.get('x')!.shape[0] === 1)).toBe(true);
  });

  it('with delay 0 runs a request at once and joins only the backlog that gathers meanwhile', async () => {
    const model = rowModel();
    const b = batcher(model, settings({ maxBatchSize: 8, maxQueueDelayUs: 0 }));
    const first = b.infer(input(1, 0));
    const busy = await model.called(1);
    const rest = [b.infer(input(1, 2)), b.infer(input(1, 4)), b.infer(input(1, 6))];
    expect(model.calls).toHaveLength(1);
    busy.release();
    const next = await model.called(2);
    expect(next.inputs.get('x')!.shape).toEqual([3, 2]);
    next.release();
    expect(values(await first, 's')).toEqual([1]);
    expect((await Promise.all(rest)).map((a) => values(a, 's'))).toEqual([[5], [9], [13]]);
  });

  it('starts the requests that queued behind a busy engine as soon as it frees, without their delay', async () => {
    const model = rowModel();
    const b = batcher(model, settings({ maxBatchSize: 8, preferredBatchSizes: [1] }));
    const first = b.infer(input(1, 0));
    const busy = await model.called(1);
    const queued = [b.infer(input(1, 2)), b.infer(input(1, 4))];
    busy.release();
    // The delay is a minute: only the freed slot can start them.
    const next = await model.called(2);
    expect(next.inputs.get('x')!.shape).toEqual([2, 2]);
    next.release();
    expect(values(await first, 's')).toEqual([1]);
    expect((await Promise.all(queued)).map((a) => values(a, 's'))).toEqual([[5], [9]]);
  });

  it('starts a batch as soon as its rows reach a preferred size', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 8, preferredBatchSizes: [2, 6] }));
    const pair = await Promise.all([b.infer(input(1, 0)), b.infer(input(1, 2))]);
    expect(model.calls.map((c) => c.inputs.get('x')!.shape[0])).toEqual([2]);
    expect(pair.map((a) => values(a, 's'))).toEqual([[1], [5]]);
  });

  it('runs at most maxBatchesInFlight batches (the engine nireq) and gathers the rest meanwhile', async () => {
    const model = rowModel({ nireq: 2 });
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const answers = [0, 1, 2, 3, 4, 5].map((i) => b.infer(input(1, i * 2)));
    await model.called(2);
    expect(model.calls).toHaveLength(2);
    model.calls[0]!.release();
    (await model.called(3)).release();
    model.calls[1]!.release();
    expect((await Promise.all(answers)).map((a) => values(a, 's'))).toEqual(
      [1, 5, 9, 13, 17, 21].map((s) => [s]),
    );
  });

  it('keeps requests that differ in dtype or in a dimension past the first apart', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const narrow = b.infer(input(1, 0, 2));
    const wide = b.infer(input(1, 0, 3));
    const answers = await Promise.all([
      narrow,
      wide,
      b.infer(input(1, 0, 2)),
      b.infer(input(1, 0, 3)),
    ]);
    expect(model.calls.map((c) => c.inputs.get('x')!.shape)).toEqual([
      [2, 2],
      [2, 3],
    ]);
    expect(answers.map((a) => values(a, 's'))).toEqual([[1], [3], [1], [3]]);
  });

  it('runs a request larger than max_batch_size alone, unjoined', async () => {
    const model = rowModel({ autoRelease: true });
    const b = batcher(model, settings({ maxBatchSize: 2 }));
    const big = input(3, 0);
    const outputs = await b.infer(big);
    expect(model.calls[0]!.inputs).toBe(big);
    expect(values(outputs, 's')).toEqual([1, 5, 9]);
  });

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

  it('validates before joining: a bad request fails alone and never reaches the batch', async () => {
    const model = rowModel({ autoRelease: true });
    const servable = createModelServable({
      name: 'm',
      version: 1,
      loaded: model.loaded,
      dynamicBatching: { maxBatchSize: 2, maxQueueDelayUs: 60_000_000 },
    });
    const bad = servable.infer({ inputs: input(1, 0, 3) });
    const good = [servable.infer({ inputs: input(1, 2) }), servable.infer({ inputs: input(1, 4) })];
    const error = await rejection(bad);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).code).toBe(StatusCode.INVALID_SHAPE);
    expect((await Promise.all(good)).map((a) => values(a, 's'))).toEqual([[5], [9]]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.inputs.get('x')!.shape).toEqual([2, 2]);
  });

  it('under concurrency, distinct inputs each get exactly the unbatched answer', async () => {
    const model = rowModel({ autoRelease: true, nireq: 2 });
    const servable = createModelServable({
      name: 'm',
      version: 1,
      loaded: model.loaded,
      dynamicBatching: { maxBatchSize: 6, maxQueueDelayUs: 500 },
    });
    const requests = Array.from({ length: 60 }, (_, i) => input(1 + (i % 3), i * 100));
    const answers = await Promise.all(requests.map((inputs) => servable.infer({ inputs })));
    expect(model.calls.some((call) => call.inputs.get('x')!.shape[0]! > 3)).toBe(true);
    for (const [i, outputs] of answers.entries()) {
      const alone = answer(requests[i]!);
      expect(values(outputs, 'y')).toEqual(values(alone, 'y'));
      expect(values(outputs, 's')).toEqual(values(alone, 's'));
    }
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
