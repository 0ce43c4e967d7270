import { ServingError, createNumericTensor } from '@ovms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ChainFactory, chain } from '../test/fake-pipelines.js';
import type { ChainDefinition } from '../test/fake-pipelines.js';
import { definition, harness, rejection } from '../test/fakes.js';
import { ModelManager } from './model-manager.js';
import type { ConfigSnapshot, ManagerConfig } from './types.js';

let manager: ModelManager<ChainDefinition> | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

const inputs = new Map([['x', createNumericTensor('FP32', [1, 2], new Uint8Array(8))]]);

/** A manager over a config the test rewrites and a fake pipeline factory. */
function setup(config: ManagerConfig<ChainDefinition>) {
  const h = harness();
  const factory = new ChainFactory();
  let current = { hash: 1, config };
  const load = (): Promise<ConfigSnapshot<ChainDefinition>> =>
    Promise.resolve({ hash: String(current.hash), config: current.config });
  const m = new ModelManager(h.options({ loadConfig: load, pipelines: factory }));
  factory.provider = m;
  manager = m;
  const write = (next: ManagerConfig<ChainDefinition>): Promise<boolean> => {
    current = { hash: current.hash + 1, config: next };
    return m.reloadConfig();
  };
  return { h, factory, m, write };
}

function expectError(error: unknown, code: string, message: string): void {
  expect(error).toBeInstanceOf(ServingError);
  expect(error).toMatchObject({ code, message });
}

const status = (m: ModelManager<ChainDefinition>, name: string) =>
  m.status(name).map((s) => `${s.version}:${s.state}:${s.errorMessage}`);

describe('pipelines with a PipelineFactory', () => {
  it('serves a built pipeline as version 1, whatever version is asked for', async () => {
    const { h, factory, m } = setup({
      models: [definition('a'), definition('b')],
      pipelines: [chain('p', ['a', 'b'])],
    });
    h.repository.set('/repo/a', 1);
    h.repository.set('/repo/b', 1);
    await m.start();
    expect(status(m, 'p')).toEqual(['1:AVAILABLE:OK']);
    expect(m.status('p', 1)).toEqual([
      { version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' },
    ]);
    expect(m.status('p')).toEqual([
      { version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' },
    ]);
    for (const version of [undefined, 0, 1]) {
      await using lease = await m.acquire('p', version);
      expect(lease.servable).toMatchObject({ name: 'p', version: 1, kind: 'pipeline' });
      expect([...(await lease.servable.infer({ inputs })).keys()]).toEqual(['y']);
    }
    expect(factory.builds).toEqual(['p']);
    expect(m.servableNames()).toEqual(['a', 'b', 'p']);
  });

  it('reports a pipeline whose model left the config unavailable with the reason, and recovers', async () => {
    const { h, factory, m, write } = setup({
      models: [definition('a')],
      pipelines: [chain('p', ['a'])],
    });
    h.repository.set('/repo/a', 1);
    await m.start();
    expect(status(m, 'p')).toEqual(['1:AVAILABLE:OK']);

    expect(await write({ models: [], pipelines: [chain('p', ['a'])] })).toBe(true);
    const reason = 'pipeline p uses model a, which is not available';
    expect(m.status('p')).toEqual([
      {
        version: 1,
        state: 'LOADING',
        errorCode: 9,
        errorMessage: 'FAILED_PRECONDITION',
        reason: `Pipeline definition has reference to missing model - ${reason}`,
      },
    ]);
    expectError(
      await rejection(m.acquire('p')),
      'PIPELINE_DEFINITION_NOT_LOADED_YET',
      `Pipeline is not loaded yet - pipeline p is invalid: Pipeline definition has reference to missing model - ${reason}`,
    );
    expect(factory.disposed).toEqual(['p', 'p']); // the retired instance and the failed build

    await write({ models: [definition('a')], pipelines: [chain('p', ['a'])] });
    expect(status(m, 'p')).toEqual(['1:AVAILABLE:OK']);
    await using lease = await m.acquire('p');
    expect(lease.servable.kind).toBe('pipeline');
  });

  it('rebuilds when a used model changes metadata, not when an unrelated model changes', async () => {
    const { h, factory, m } = setup({
      models: [definition('a'), definition('other')],
      pipelines: [chain('p', ['a'])],
    });
    h.repository.set('/repo/a', 1);
    h.repository.set('/repo/other', 1);
    await m.start();
    h.repository.set('/repo/other', 2);
    await m.reloadConfig();
    expect(factory.builds).toEqual(['p']);
    // A new version with the same metadata serves through the same pipeline build.
    h.repository.set('/repo/a', 2);
    await m.reloadConfig();
    expect(factory.builds).toEqual(['p']);
    h.engine.outputNames.set('/repo/a/3', 'z');
    h.repository.set('/repo/a', 3);
    await m.reloadConfig();
    expect(factory.builds).toEqual(['p', 'p']);
    expect(status(m, 'p')).toEqual(['1:AVAILABLE:OK']);
  });

  it('disposes a rebuilt or removed pipeline only after its last lease', async () => {
    const { h, factory, m, write } = setup({
      models: [definition('a'), definition('b')],
      pipelines: [chain('p', ['a'])],
    });
    h.repository.set('/repo/a', 1);
    h.repository.set('/repo/b', 1);
    await m.start();
    const held = await m.acquire('p');
    await write({ models: [definition('a'), definition('b')], pipelines: [chain('p', ['b'])] });
    expect(factory.builds).toEqual(['p', 'p']);
    expect(factory.disposed).toEqual([]);
    {
      await using fresh = await m.acquire('p');
      expect(fresh.servable).not.toBe(held.servable);
    }
    // The old build still serves the request that holds it.
    await held.servable.infer({ inputs });
    await held[Symbol.asyncDispose]();
    await Promise.resolve();
    expect(factory.disposed).toEqual(['p']);

    const last = await m.acquire('p');
    await write({ models: [definition('a'), definition('b')], pipelines: [] });
    expect(status(m, 'p')).toEqual(['1:END:OK']);
    expectError(
      await rejection(m.acquire('p')),
      'PIPELINE_DEFINITION_NOT_LOADED_ANYMORE',
      'Pipeline is retired - pipeline p was removed from the config',
    );
    expect(factory.disposed).toEqual(['p']);
    await last[Symbol.asyncDispose]();
    await Promise.resolve();
    expect(factory.disposed).toEqual(['p', 'p']);

    await write({ models: [definition('a'), definition('b')], pipelines: [chain('p', ['a'])] });
    expect(status(m, 'p')).toEqual(['1:AVAILABLE:OK']);
  });

  it('reports a factory that throws as INTERNAL_ERROR and a clash with a model name', async () => {
    const { h, factory, m, write } = setup({
      models: [definition('a')],
      pipelines: [chain('p', ['a'])],
    });
    h.repository.set('/repo/a', 1);
    factory.throwing = true;
    await m.start();
    expect(m.status('p')[0]).toMatchObject({
      state: 'LOADING',
      errorMessage: 'FAILED_PRECONDITION',
      reason: 'Internal server error - factory bug',
    });
    factory.throwing = false;
    await write({ models: [definition('a')], pipelines: [chain('a', ['a'])] });
    // The clashing pipeline adds no status of its own: `a` is the model, one version.
    expect(m.status('a')).toEqual([
      { version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' },
    ]);
    await using lease = await m.acquire('a');
    expect(lease.servable.kind).toBe('model');
  });

  it('retires pipelines on stop', async () => {
    const { h, factory, m } = setup({
      models: [definition('a')],
      pipelines: [chain('p', ['a'])],
    });
    h.repository.set('/repo/a', 1);
    await m.start();
    await m.stop();
    manager = undefined;
    expect(factory.disposed).toEqual(['p']);
    expect(h.engine.open).toBe(0);
  });
});
