import { ServingError, createNumericTensor, type InferenceRecord } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { FakeEngine } from '../test/fakes.js';
import { ModelInstance } from './model-instance.js';

async function instance(
  engine = new FakeEngine(),
  inferences?: InferenceRecord[],
): Promise<ModelInstance> {
  return new ModelInstance({
    model: 'm',
    version: 1,
    loaded: await engine.load('/m/1', {}),
    attempt: { fingerprint: 'f', loadKey: 'k' },
    localDir: '/m/1',
    ...(inferences !== undefined && {
      metrics: {
        requestStarted: () => {},
        requestDone: () => {},
        inferenceDone: (record) => inferences.push({ ...record }),
      },
    }),
  });
}

describe('ModelInstance', () => {
  it('exposes the servable with the model metadata', async () => {
    const { servable } = await instance();
    expect(servable).toMatchObject({ name: 'm', version: 1, kind: 'model' });
    expect(servable.inputs).toEqual([{ name: 'x', dtype: 'FP32', shape: [-1, 2] }]);
    expect(servable.outputs.map((o) => o.name)).toEqual(['y']);
  });

  it('closes only after the last lease is disposed; disposing twice releases once', async () => {
    const engine = new FakeEngine();
    const model = await instance(engine);
    const first = model.tryLease();
    const second = model.tryLease();
    expect(model.leasesHeld).toBe(2);
    const retired = model.retire();
    expect(model.tryLease()).toBeUndefined();
    await first?.[Symbol.asyncDispose]();
    await first?.[Symbol.asyncDispose]();
    expect(model.leasesHeld).toBe(1);
    expect(engine.open).toBe(1);
    await second?.[Symbol.asyncDispose]();
    await retired;
    expect(engine.open).toBe(0);
    await model.retire();
  });

  it('returns only the requested outputs, and refuses an unknown one', async () => {
    const { servable } = await instance();
    const x = createNumericTensor('FP32', [1, 2], new Uint8Array(8));
    const inputs = new Map([['x', x]]);
    expect([...(await servable.infer({ inputs, outputs: ['y'] })).keys()]).toEqual(['y']);
    const error = await servable.infer({ inputs, outputs: ['z'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServingError);
    expect(error).toMatchObject({
      code: 'INVALID_MISSING_OUTPUT',
      message: 'Missing output with specific name - Required output: z',
    });
  });

  it('reports no timing or usage for an engine that fills neither', async () => {
    const inferences: InferenceRecord[] = [];
    const model = await instance(new FakeEngine(), inferences);
    const x = createNumericTensor('FP32', [1, 2], new Uint8Array(8));
    expect((await model.servable.infer({ inputs: new Map([['x', x]]) })).has('y')).toBe(true);
    expect(inferences).toEqual([]);
    expect(model.usage()).toBeUndefined();
  });
});
