import { describe, expect, it } from 'vitest';
import type { LoadedModel, InputSpec, InferTiming } from './engine.js';
import type { InferenceRecord, MetricsRecorder } from './metrics-recorder.js';
import { createModelServable } from './model-servable.js';
import { ServingError, StatusCode } from './status.js';
import { bytesOf, createBytesTensor, createNumericTensor, type TensorMap } from './tensor.js';

/** A model doubling `x` into `y` and `z`, counting the calls that reach it. */
function doubling(inputs: InputSpec[], fail?: Error) {
  const calls: TensorMap[] = [];
  const loaded: LoadedModel = {
    inputs,
    outputs: [
      { name: 'y', dtype: 'FP32', shape: [-1] },
      { name: 'z', dtype: 'FP32', shape: [-1] },
    ],
    infer: (tensors, _signal, timing?: InferTiming) => {
      calls.push(tensors);
      if (fail !== undefined) return Promise.reject(fail);
      if (timing !== undefined) Object.assign(timing, { waitUs: 1, inferenceUs: 2 });
      const x = tensors.get('x');
      return Promise.resolve(
        new Map([
          ['y', x!],
          ['z', x!],
        ]),
      );
    },
    close: () => Promise.resolve(),
  };
  return { loaded, calls };
}

const x = (shape: number[]) =>
  new Map([
    [
      'x',
      createNumericTensor(
        'FP32',
        shape,
        bytesOf(new Float32Array(shape.reduce((a, b) => a * b, 1))),
      ),
    ],
  ]) as TensorMap;

async function refusal(promise: Promise<unknown>): Promise<ServingError> {
  const error: unknown = await promise.then(
    () => new Error('expected a refusal'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

describe('createModelServable', () => {
  it('checks a request against the current inputs before the engine runs', async () => {
    const model = doubling([{ name: 'x', dtype: 'FP32', shape: [1, 4], batchDim: 0 }]);
    const servable = createModelServable({ name: 'm', version: 3, loaded: model.loaded });
    const error = await refusal(servable.infer({ inputs: x([2, 4]) }));
    expect(error.code).toBe(StatusCode.INVALID_BATCH_SIZE);
    expect(error.message).toBe('Invalid input batch size - Expected: 1; Actual: 2; input name: x');
    expect(model.calls).toHaveLength(0);
  });

  it('lets auto dims through to the engine, and reports the inputs the model has now', async () => {
    const inputs: InputSpec[] = [{ name: 'x', dtype: 'FP32', shape: [1, 4], autoDims: [0] }];
    const model = doubling(inputs);
    const servable = createModelServable({ name: 'm', version: 1, loaded: model.loaded });
    expect((await servable.infer({ inputs: x([3, 4]) })).get('y')?.shape).toEqual([3, 4]);
    inputs[0] = { ...inputs[0]!, shape: [3, 4] };
    expect(servable.inputs[0]?.shape).toEqual([3, 4]);
  });

  it('answers exactly the requested outputs, and refuses an unknown one before running', async () => {
    const model = doubling([{ name: 'x', dtype: 'FP32', shape: [-1] }]);
    const servable = createModelServable({ name: 'm', version: 1, loaded: model.loaded });
    expect([...(await servable.infer({ inputs: x([2]), outputs: ['z'] })).keys()]).toEqual(['z']);
    const error = await refusal(servable.infer({ inputs: x([2]), outputs: ['w'] }));
    expect(error.code).toBe(StatusCode.INVALID_MISSING_OUTPUT);
    expect(model.calls).toHaveLength(1);
  });

  it('wraps an engine failure that is not a ServingError as INTERNAL_INFERENCE_ERROR', async () => {
    const native = new Error('native failure');
    const model = doubling([{ name: 'x', dtype: 'FP32', shape: [-1] }], native);
    const servable = createModelServable({ name: 'm', version: 1, loaded: model.loaded });
    const error = await refusal(servable.infer({ inputs: x([2]) }));
    expect([error.code, error.message, error.cause]).toEqual([
      StatusCode.INTERNAL_INFERENCE_ERROR,
      'Internal inference error',
      native,
    ]);
  });

  it('records the timing of inferences that ran, and nothing for refused requests', async () => {
    const records: InferenceRecord[] = [];
    const metrics: MetricsRecorder = {
      requestStarted: () => undefined,
      requestDone: () => undefined,
      inferenceDone: (record) => records.push({ ...record }),
    };
    const model = doubling([{ name: 'x', dtype: 'FP32', shape: [-1] }]);
    const servable = createModelServable({ name: 'm', version: 2, loaded: model.loaded, metrics });
    await refusal(servable.infer({ inputs: x([2, 2]) }));
    expect(records).toEqual([]);
    await servable.infer({ inputs: x([2]) });
    expect(records).toEqual([{ name: 'm', version: 2, waitUs: 1, inferenceUs: 2 }]);
  });

  it('hands BYTES sent to a numeric input to the binary input decoder, before validation', async () => {
    const model = doubling([{ name: 'x', dtype: 'FP32', shape: [1, 2], batchDim: 0 }]);
    const image = new Map([['x', createBytesTensor([1], [new Uint8Array([7])])]]) as TensorMap;
    const seen: TensorMap[] = [];
    const servable = createModelServable({
      name: 'm',
      version: 1,
      loaded: model.loaded,
      decodeBinaryInputs: (_specs, inputs) => {
        seen.push(inputs);
        return Promise.resolve(x([1, 2]));
      },
    });
    expect((await servable.infer({ inputs: image })).get('y')?.shape).toEqual([1, 2]);
    expect(seen).toEqual([image]);
    // Numeric inputs never reach the decoder.
    await servable.infer({ inputs: x([1, 2]) });
    expect(seen).toHaveLength(1);
    const plain = createModelServable({ name: 'm', version: 1, loaded: model.loaded });
    const error = await refusal(plain.infer({ inputs: image }));
    expect(error.message).toBe(
      'Invalid input precision - Expected: FP32; Actual: BYTES; input name: x',
    );
  });
});
