import { ServingError } from '@ovms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { definition, eventually, harness, rejection } from '../test/fakes.js';
import { ModelManager } from './model-manager.js';

let manager: ModelManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

/** Resolves once the engine was asked to load `dir` (the version is LOADING, held at its gate). */
function loadReached(h: ReturnType<typeof harness>, dir: string): Promise<void> {
  return eventually(() => expect(h.engine.loads.map((load) => load.dir)).toContain(dir));
}

function expectError(error: unknown, code: string, message: string): void {
  expect(error).toBeInstanceOf(ServingError);
  expect(error).toMatchObject({ code, message });
}

describe('acquire', () => {
  it('leases the highest AVAILABLE version by default (absent), or the one asked for', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    h.repository.set('/repo/m', 2);
    manager = new ModelManager(
      h.options({ config: { models: [definition('m', { kind: 'all' })], pipelines: [] } }),
    );
    await manager.start();
    await using latest = await manager.acquire('m');
    await using first = await manager.acquire('m', 1);
    expect([latest.servable.version, first.servable.version]).toEqual([2, 1]);
    // Version 0 means "default" only on the wire; the transports turn it into undefined.
    expectError(
      await rejection(manager.acquire('m', 0)),
      'MODEL_VERSION_MISSING',
      'Model with requested version is not found',
    );
  });

  it('MODEL_NAME_MISSING for an unknown name', async () => {
    manager = new ModelManager(harness().options({ config: { models: [], pipelines: [] } }));
    await manager.start();
    expectError(
      await rejection(manager.acquire('nope')),
      'MODEL_NAME_MISSING',
      'Model with requested name is not found',
    );
  });

  it('MODEL_VERSION_MISSING for a version never seen, and for a model with no version', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    h.repository.models.set('/repo/empty', new Map());
    manager = new ModelManager(
      h.options({ config: { models: [definition('m'), definition('empty')], pipelines: [] } }),
    );
    await manager.start();
    const message = 'Model with requested version is not found';
    expectError(await rejection(manager.acquire('m', 7)), 'MODEL_VERSION_MISSING', message);
    expectError(await rejection(manager.acquire('empty')), 'MODEL_VERSION_MISSING', message);
  });

  it('MODEL_VERSION_NOT_LOADED_ANYMORE for a retired version', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    manager = new ModelManager(h.options({ config: { models: [definition('m')], pipelines: [] } }));
    await manager.start();
    h.repository.set('/repo/m', 2);
    await manager.reloadConfig();
    expectError(
      await rejection(manager.acquire('m', 1)),
      'MODEL_VERSION_NOT_LOADED_ANYMORE',
      'Model with requested version is retired',
    );
  });

  it('waits for a LOADING version, then fails MODEL_VERSION_NOT_LOADED_YET after loadingWaitMs', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    const open = h.engine.gate('/repo/m/1');
    manager = new ModelManager(
      h.options({ loadingWaitMs: 60, config: { models: [definition('m')], pipelines: [] } }),
    );
    const started = manager.start();
    await loadReached(h, '/repo/m/1');
    const before = Date.now();
    const message = 'Model with requested version is not loaded yet';
    expectError(await rejection(manager.acquire('m', 1)), 'MODEL_VERSION_NOT_LOADED_YET', message);
    expectError(await rejection(manager.acquire('m')), 'MODEL_VERSION_NOT_LOADED_YET', message);
    expect(Date.now() - before).toBeGreaterThanOrEqual(100);
    open();
    await started;
  });

  it('serves a LOADING version as soon as it becomes AVAILABLE within the wait', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    const open = h.engine.gate('/repo/m/1');
    manager = new ModelManager(
      h.options({ loadingWaitMs: 5000, config: { models: [definition('m')], pipelines: [] } }),
    );
    const started = manager.start();
    await loadReached(h, '/repo/m/1');
    const leased = manager.acquire('m', 1);
    // Still waiting once everything queued so far has run: nothing is AVAILABLE yet.
    const first = await Promise.race([leased.then(() => 'leased'), Promise.resolve('waiting')]);
    expect(first).toBe('waiting');
    open();
    await using lease = await leased;
    expect(lease.servable.version).toBe(1);
    await started;
  });

  it('answers MODEL_VERSION_NOT_LOADED_YET at once for a version whose load failed', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    h.engine.corrupt.add('/repo/m/1');
    manager = new ModelManager(
      h.options({ loadingWaitMs: 5000, config: { models: [definition('m')], pipelines: [] } }),
    );
    await manager.start();
    const before = Date.now();
    expectError(
      await rejection(manager.acquire('m', 1)),
      'MODEL_VERSION_NOT_LOADED_YET',
      'Model with requested version is not loaded yet',
    );
    expect(Date.now() - before).toBeLessThan(1000);
  });

  it('answers PIPELINE_DEFINITION_NOT_LOADED_YET for pipelines this manager does not build', async () => {
    manager = new ModelManager(
      harness().options({
        config: {
          models: [],
          pipelines: [{ name: 'p', definition: {} }],
        },
      }),
    );
    await manager.start();
    expectError(
      await rejection(manager.acquire('p')),
      'PIPELINE_DEFINITION_NOT_LOADED_YET',
      'Pipeline is not loaded yet - pipeline p is defined but this server does not serve pipelines',
    );
  });

  it('reports a pipeline removed from the config', async () => {
    const snapshots = [
      { hash: 'a', config: { models: [], pipelines: [{ name: 'p', definition: {} }] } },
      { hash: 'b', config: { models: [], pipelines: [] } },
    ];
    let read = 0;
    manager = new ModelManager(
      harness().options({ loadConfig: () => Promise.resolve(snapshots[Math.min(read++, 1)]!) }),
    );
    await manager.start();
    await manager.reloadConfig();
    expectError(
      await rejection(manager.acquire('p')),
      'PIPELINE_DEFINITION_NOT_LOADED_ANYMORE',
      'Pipeline is retired - pipeline p was removed from the config',
    );
  });
});
