import { ServingError, createNumericTensor } from '@ovms/core';
import { afterEach, describe, expect, it } from 'vitest';
import { definition, eventually, everyStatus, harness, rejection } from '../test/fakes.js';
import { ModelManager } from './model-manager.js';
import type { ConfigSnapshot, ManagerConfig } from './types.js';

let manager: ModelManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

const inputs = new Map([['x', createNumericTensor('FP32', [1, 2], new Uint8Array(8))]]);
const states = (m: ModelManager, name: string) =>
  m.status(name).map((s) => `${s.version}:${s.state}:${s.errorMessage}`);

/** A config source the test rewrites; `broken` makes the next reads fail. */
function configFile(config: ManagerConfig) {
  const file = { config, hash: 1, broken: undefined as Error | undefined };
  const load = (): Promise<ConfigSnapshot> =>
    file.broken
      ? Promise.reject(file.broken)
      : Promise.resolve({ hash: String(file.hash), config: file.config });
  const write = (next: ManagerConfig): void => {
    file.config = next;
    file.hash += 1;
  };
  return { file, load, write };
}

describe('ModelManager', () => {
  it('loads what each policy selects and reports every servable as GetModelStatus does', async () => {
    const h = harness();
    for (const v of [1, 2, 3]) h.repository.set('/repo/a', v);
    h.repository.set('/repo/b', 1);
    manager = new ModelManager(
      h.options({
        config: {
          models: [definition('a', { kind: 'latest', numVersions: 2 }), definition('b')],
          pipelines: [{ name: 'p', definition: {} }],
        },
      }),
    );
    expect(manager.isReady()).toBe(false);
    await manager.start();
    expect(manager.isReady()).toBe(true);
    expect(states(manager, 'a')).toEqual(['2:AVAILABLE:OK', '3:AVAILABLE:OK']);
    expect(manager.status('a', 3)).toEqual([
      { version: 3, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' },
    ]);
    const ok = { state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' };
    expect(everyStatus(manager)).toEqual({
      a: [
        { version: 2, ...ok },
        { version: 3, ...ok },
      ],
      b: [{ version: 1, ...ok }],
      p: [
        {
          version: 1,
          state: 'LOADING',
          errorCode: 0,
          errorMessage: 'OK',
          reason: 'this server does not serve pipelines',
        },
      ],
    });
    expect(h.engine.open).toBe(3);
    expect(manager.servableNames()).toEqual(['a', 'b', 'p']);
  });

  it('status throws MODEL_NAME_MISSING / MODEL_VERSION_MISSING like GetModelStatus', async () => {
    const h = harness();
    h.repository.set('/repo/a', 1);
    manager = new ModelManager(h.options({ config: { models: [definition('a')], pipelines: [] } }));
    await manager.start();
    expect(() => manager?.status('zzz')).toThrow(new ServingError('MODEL_NAME_MISSING'));
    expect(() => manager?.status('a', 9)).toThrow('Model with requested version is not found');
  });

  it('lists a configured model whose repository has no versions yet, with no statuses', async () => {
    const h = harness();
    h.repository.models.set('/repo/empty', new Map());
    manager = new ModelManager(
      h.options({ config: { models: [definition('empty')], pipelines: [] } }),
    );
    await manager.start();
    expect(manager.servableNames()).toEqual(['empty']);
    expect(manager.status('empty')).toEqual([]);
  });

  it('reports a corrupt version as LOADING/UNKNOWN, serves the previous one, and retries only changed files', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    h.repository.set('/repo/m', 2);
    h.engine.corrupt.add('/repo/m/2');
    manager = new ModelManager(h.options({ config: { models: [definition('m')], pipelines: [] } }));
    await manager.start();
    expect(manager.status('m')).toEqual([
      { version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' },
      {
        version: 2,
        state: 'LOADING',
        errorCode: 2,
        errorMessage: 'UNKNOWN',
        reason: 'Cannot read model file in /repo/m/2',
      },
    ]);
    await using lease = await manager.acquire('m');
    expect(lease.servable.version).toBe(1);
    const loads = h.engine.loads.length;
    expect(await manager.reloadConfig()).toBe(false);
    expect(h.engine.loads.length).toBe(loads);
    h.engine.corrupt.clear();
    h.repository.set('/repo/m', 2, 'fixed');
    expect(await manager.reloadConfig()).toBe(true);
    expect(states(manager, 'm')).toEqual(['1:UNLOADING:OK', '2:AVAILABLE:OK']);
  });

  it('swaps to a new version, then falls back when its directory is removed', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    manager = new ModelManager(h.options({ config: { models: [definition('m')], pipelines: [] } }));
    await manager.start();
    h.repository.set('/repo/m', 2);
    expect(await manager.reloadConfig()).toBe(true);
    await eventually(() => expect(states(manager!, 'm')).toEqual(['1:END:OK', '2:AVAILABLE:OK']));
    h.repository.remove('/repo/m', 2);
    expect(await manager.reloadConfig()).toBe(true);
    await eventually(() => expect(states(manager!, 'm')).toEqual(['1:AVAILABLE:OK', '2:END:OK']));
    expect(h.engine.open).toBe(1);
  });

  it('reloads changed files beside the serving instance; leases keep the old one until disposed', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1, 'old');
    manager = new ModelManager(h.options({ config: { models: [definition('m')], pipelines: [] } }));
    await manager.start();
    const held = await manager.acquire('m');
    h.repository.set('/repo/m', 1, 'new');
    expect(await manager.reloadConfig()).toBe(true);
    expect(states(manager, 'm')).toEqual(['1:AVAILABLE:OK']);
    expect(h.engine.open).toBe(2);
    expect((await held.servable.infer({ inputs })).has('y')).toBe(true);
    await held[Symbol.asyncDispose]();
    await eventually(() => expect(h.engine.open).toBe(1));
  });

  it('keeps the previous instance serving when a reload fails', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1, 'old');
    manager = new ModelManager(h.options({ config: { models: [definition('m')], pipelines: [] } }));
    await manager.start();
    h.engine.corrupt.add('/repo/m/1');
    h.repository.set('/repo/m', 1, 'broken');
    await manager.reloadConfig();
    expect(manager.status('m')).toEqual([
      {
        version: 1,
        state: 'AVAILABLE',
        errorCode: 0,
        errorMessage: 'OK',
        reason: 'reload failed: Cannot read model file in /repo/m/1',
      },
    ]);
    await using lease = await manager.acquire('m', 1);
    expect(lease.servable.version).toBe(1);
  });

  it('applies a policy change and load-option change without restart', async () => {
    const h = harness();
    for (const v of [1, 2, 3]) h.repository.set('/repo/m', v);
    const source = configFile({ models: [definition('m')], pipelines: [] });
    manager = new ModelManager(h.options({ loadConfig: source.load }));
    await manager.start();
    source.write({
      models: [definition('m', { kind: 'specific', versions: [1, 2] })],
      pipelines: [],
    });
    expect(await manager.reloadConfig()).toBe(true);
    await eventually(() =>
      expect(states(manager!, 'm')).toEqual(['1:AVAILABLE:OK', '2:AVAILABLE:OK', '3:END:OK']),
    );
    source.write({
      models: [definition('m', { kind: 'specific', versions: [1, 2] }, { nireq: 2 })],
      pipelines: [],
    });
    expect(await manager.reloadConfig()).toBe(true);
    expect(h.engine.loads.slice(-2).map((l) => l.options)).toEqual([{ nireq: 2 }, { nireq: 2 }]);
    expect(await manager.reloadConfig()).toBe(false);
  });

  it('ends every version of a model removed from the config, and loads it again when it returns', async () => {
    const h = harness();
    h.repository.set('/repo/a', 1);
    h.repository.set('/repo/b', 1);
    const both = { models: [definition('a'), definition('b')], pipelines: [] };
    const source = configFile(both);
    manager = new ModelManager(h.options({ loadConfig: source.load }));
    await manager.start();
    source.write({ models: [definition('a')], pipelines: [] });
    expect(await manager.reloadConfig()).toBe(true);
    await eventually(() => expect(states(manager!, 'b')).toEqual(['1:END:OK']));
    expect((await rejection(manager.acquire('b', 1))) as ServingError).toMatchObject({
      code: 'MODEL_VERSION_NOT_LOADED_ANYMORE',
    });
    expect((await rejection(manager.acquire('b'))) as ServingError).toMatchObject({
      code: 'MODEL_VERSION_MISSING',
    });
    expect(manager.servableNames()).toEqual(['a', 'b']);
    source.write(both);
    await manager.reloadConfig();
    expect(states(manager, 'b')).toEqual(['1:AVAILABLE:OK']);
  });

  it('keeps serving when the config breaks, reports it, and recovers when it is fixed', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    const source = configFile({ models: [definition('m')], pipelines: [] });
    manager = new ModelManager(h.options({ loadConfig: source.load }));
    await manager.start();
    source.file.broken = new ServingError('JSON_INVALID', 'Unexpected token } at 12');
    const error = await rejection(manager.reloadConfig());
    expect(error).toMatchObject({
      code: 'JSON_INVALID',
      message: 'The file is not valid json - Unexpected token } at 12',
    });
    expect(manager.configStatus().error).toBe(error);
    await using lease = await manager.acquire('m');
    expect(lease.servable.version).toBe(1);
    source.file.broken = new Error('model_config_list[0].config.name: Required');
    expect(await rejection(manager.reloadConfig())).toMatchObject({
      code: 'CONFIG_FILE_INVALID',
      message: 'Configuration file is invalid - model_config_list[0].config.name: Required',
    });
    expect(
      h.logger.records.filter((l) => l.msg?.startsWith('Reading the config failed')).length,
    ).toBe(2);
    source.file.broken = undefined;
    expect(await manager.reloadConfig()).toBe(false);
    expect(manager.configStatus()).toEqual({
      appliedHash: '1',
      error: undefined,
      repositoryErrors: [],
    });
  });

  it('fails start when the first config cannot be read, as OVMS does', async () => {
    const h = harness();
    manager = new ModelManager(
      h.options({ loadConfig: () => Promise.reject(new ServingError('JSON_INVALID')) }),
    );
    expect(await rejection(manager.start())).toMatchObject({ code: 'JSON_INVALID' });
    expect(manager.isReady()).toBe(false);
  });

  it('keeps serving when a repository cannot be listed, and reports it', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    manager = new ModelManager(h.options({ config: { models: [definition('m')], pipelines: [] } }));
    await manager.start();
    h.repository.unreachable.add('/repo/m');
    expect(await manager.reloadConfig()).toBe(false);
    expect(states(manager, 'm')).toEqual(['1:AVAILABLE:OK']);
    expect(manager.configStatus().repositoryErrors).toEqual([
      { model: 'm', message: 'Directory does not exist: /repo/m' },
    ]);
  });

  it('polls: a new version serves within two periods, and requests under load never fail', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    manager = new ModelManager(
      h.options({ pollIntervalMs: 20, config: { models: [definition('m')], pipelines: [] } }),
    );
    await manager.start();
    let failures = 0;
    let served = 0;
    let running = true;
    const clients = Array.from({ length: 4 }, async () => {
      while (running) {
        try {
          await using lease = await manager!.acquire('m');
          await lease.servable.infer({ inputs });
          served += 1;
        } catch {
          failures += 1;
        }
      }
    });
    for (const version of [2, 3, 4]) {
      h.repository.set('/repo/m', version);
      const added = Date.now();
      await eventually(async () => {
        await using lease = await manager!.acquire('m');
        expect(lease.servable.version).toBe(version);
      });
      expect(Date.now() - added).toBeLessThan(200);
    }
    running = false;
    await Promise.all(clients);
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(10);
    await eventually(() => expect(h.engine.open).toBe(1));
  });

  it('stop waits for held leases, then closes every instance and ends every version', async () => {
    const h = harness();
    h.repository.set('/repo/m', 1);
    h.repository.set('/repo/m', 2);
    manager = new ModelManager(
      h.options({ config: { models: [definition('m', { kind: 'all' })], pipelines: [] } }),
    );
    await manager.start();
    const lease = await manager.acquire('m', 1);
    let stopped = false;
    const stopping = manager.stop().then(() => (stopped = true));
    // Version 2 ends at once; version 1 stays UNLOADING as long as the lease is held.
    await eventually(() => expect(states(manager!, 'm')).toEqual(['1:UNLOADING:OK', '2:END:OK']));
    expect(stopped).toBe(false);
    expect(manager.isReady()).toBe(false);
    await lease[Symbol.asyncDispose]();
    await stopping;
    expect(h.engine.open).toBe(0);
    expect(states(manager, 'm')).toEqual(['1:END:OK', '2:END:OK']);
    expect(h.repository.released.sort()).toEqual(['/repo/m/1', '/repo/m/2']);
    manager = undefined;
  });
});
