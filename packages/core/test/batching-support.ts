import type { DynamicBatchingSettings } from '../src/dynamic-batcher.js';
import { createDynamicBatcher } from '../src/dynamic-batcher.js';
import type { InferTiming, InputSpec, LoadedModel, TensorSpec } from '../src/engine.js';
import type { MetricsRecorder } from '../src/metrics-recorder.js';
import { bytesOf, createNumericTensor, typedView } from '../src/tensor.js';
import type { TensorMap } from '../src/tensor.js';

// Shared by the dynamic batcher's test files: a row-wise model the tests hold busy, inputs
// built from a first value, and the batcher over them.

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
export function rowModel(
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

export function answer(inputs: TensorMap): TensorMap {
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

export const input = (rows: number, first: number, width = 2): TensorMap =>
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

export const values = (outputs: TensorMap, name: string) => [
  ...typedView('FP32', outputs.get(name)!.data as Uint8Array),
];

export const settings = (
  overrides: Partial<DynamicBatchingSettings> = {},
): DynamicBatchingSettings => ({
  maxBatchSize: 4,
  maxQueueDelayUs: 60_000_000,
  ...overrides,
});

export function batcher(
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

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
}
