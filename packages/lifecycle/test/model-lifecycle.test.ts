import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesOf, createNumericTensor, typedView } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { fixtureSpec } from '@ovms/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelManager, createEngineSelector } from '../src/index.js';
import { createRecordingLogger } from '@ovms/testing';
import { eventually, everyStatus } from './fakes.js';
import {
  CountingEngine,
  addVersion,
  configFileLoader,
  localStorage,
  storageRepository,
  writeConfig,
} from './support.js';

const POLL_MS = 50;
const spec = fixtureSpec('add_f32');

let root: string;
let configPath: string;
let engine: CountingEngine;
let manager: ModelManager | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-lifecycle-'));
  configPath = join(root, 'config.json');
  engine = new CountingEngine(createOnnxRuntimeEngine());
});

afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  expect(engine.open).toBe(0);
  await rm(root, { recursive: true, force: true });
});

async function startManager(): Promise<ModelManager> {
  manager = new ModelManager({
    repository: storageRepository(localStorage(), join(root, 'cache')),
    engines: createEngineSelector([engine]),
    loadConfig: configFileLoader(configPath),
    logger: createRecordingLogger(),
    pollIntervalMs: POLL_MS,
    loadingWaitMs: 2000,
  });
  await manager.start();
  return manager;
}

const states = (m: ModelManager, name: string) =>
  m.status(name).map((s) => `${s.version}:${s.state}`);

/** Clients inferring on the default version in a loop, counting failures. */
function continuousLoad(m: ModelManager, name: string, clients = 4) {
  const tally = { served: 0, failures: [] as unknown[], versions: new Set<number>() };
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let seed = client; running; seed += clients) {
      try {
        await using lease = await m.acquire(name);
        const outputs = await lease.servable.infer({ inputs: spec.sampleInputs({ seed }) });
        if (!outputs.has('sum')) throw new Error('no output');
        tally.served += 1;
        tally.versions.add(lease.servable.version);
      } catch (error) {
        tally.failures.push(error);
        // A failing loop must not spin the event loop and starve the timers under test.
        if (tally.failures.length >= 20) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  });
  return {
    tally,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}

/** Milliseconds until the default version of `name` is `version`. */
async function timeUntilServed(m: ModelManager, name: string, version: number): Promise<number> {
  const since = Date.now();
  await eventually(async () => {
    await using lease = await m.acquire(name);
    expect(lease.servable.version).toBe(version);
  }, 5000);
  return Date.now() - since;
}

describe('model lifecycle on onnxruntime and a local repository', () => {
  it('adds a version under load with no failure and serves it within two poll periods, then falls back when it is removed', async () => {
    const base = join(root, 'add');
    await addVersion(base, 1);
    await writeConfig(configPath, [{ name: 'add', base_path: base }]);
    const m = await startManager();
    const load = continuousLoad(m, 'add');

    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    await addVersion(base, 2);
    // Two periods, plus the session creation onnxruntime needs (~50 ms for this tiny model),
    // plus 100 ms for the event loop shared with the clients and, in CI, with the other test
    // files running on the same two cores.
    expect(await timeUntilServed(m, 'add', 2)).toBeLessThan(2 * POLL_MS + engine.lastLoadMs + 100);
    await eventually(() => expect(states(m, 'add')).toEqual(['1:END', '2:AVAILABLE']));

    await rm(join(base, '2'), { recursive: true });
    expect(await timeUntilServed(m, 'add', 1)).toBeLessThan(2 * POLL_MS + engine.lastLoadMs + 100);
    await eventually(() => expect(states(m, 'add')).toEqual(['1:AVAILABLE', '2:END']));

    const tally = await load.stop();
    expect(tally.failures).toEqual([]);
    expect([...tally.versions].sort()).toEqual([1, 2]);
    expect(tally.served).toBeGreaterThan(50);
    expect(engine.open).toBe(1);
  });

  it('applies a version policy change from config.json without restart', async () => {
    const base = join(root, 'add');
    for (const version of [1, 2, 3]) await addVersion(base, version);
    await writeConfig(configPath, [{ name: 'add', base_path: base }]);
    const m = await startManager();
    expect(states(m, 'add')).toEqual(['3:AVAILABLE']);

    await writeConfig(configPath, [
      { name: 'add', base_path: base, model_version_policy: { all: {} } },
    ]);
    await eventually(() =>
      expect(states(m, 'add')).toEqual(['1:AVAILABLE', '2:AVAILABLE', '3:AVAILABLE']),
    );
    await writeConfig(configPath, [
      { name: 'add', base_path: base, model_version_policy: { specific: { versions: [1] } } },
    ]);
    await eventually(() => expect(states(m, 'add')).toEqual(['1:AVAILABLE', '2:END', '3:END']));
    await using lease = await m.acquire('add');
    expect(lease.servable.version).toBe(1);
    expect(engine.open).toBe(1);
  });

  it('loads a model added to config.json and ends one removed from it', async () => {
    await addVersion(join(root, 'a'), 1);
    await addVersion(join(root, 'b'), 1);
    await writeConfig(configPath, [{ name: 'a', base_path: join(root, 'a') }]);
    const m = await startManager();
    expect(() => m.status('b')).toThrow('Model with requested name is not found');

    await writeConfig(configPath, [
      { name: 'a', base_path: join(root, 'a') },
      { name: 'b', base_path: join(root, 'b') },
    ]);
    await eventually(() => expect(states(m, 'b')).toEqual(['1:AVAILABLE']));
    await writeConfig(configPath, [{ name: 'b', base_path: join(root, 'b') }]);
    await eventually(() => expect(states(m, 'a')).toEqual(['1:END']));
    await expect(m.acquire('a', 1)).rejects.toMatchObject({
      code: 'MODEL_VERSION_NOT_LOADED_ANYMORE',
    });
    expect(everyStatus(m)).toEqual({
      a: [{ version: 1, state: 'END', errorCode: 0, errorMessage: 'OK' }],
      b: [{ version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' }],
    });
  });

  it('keeps serving through a broken config.json, reports it, and picks up the fixed file', async () => {
    const base = join(root, 'add');
    await addVersion(base, 1);
    await writeConfig(configPath, [{ name: 'add', base_path: base }]);
    const m = await startManager();
    const load = continuousLoad(m, 'add', 2);

    await writeFile(configPath, '{ "model_config_list": [ { "config": { "name": "add", ');
    await eventually(() => expect(m.configStatus().error?.code).toBe('JSON_INVALID'));
    await expect(m.reloadConfig()).rejects.toMatchObject({ code: 'JSON_INVALID' });
    await writeFile(
      configPath,
      JSON.stringify({
        model_config_list: [{ config: { name: 'add', base_path: base, nireq: 'x' } }],
      }),
    );
    // A schema error is JSON_INVALID too, as in OVMS, with the JSON path in the detail.
    await eventually(() =>
      expect(m.configStatus().error?.message).toMatch(
        /^The file is not valid json - model_config_list\[0\]\.config\.nireq: /,
      ),
    );
    expect(states(m, 'add')).toEqual(['1:AVAILABLE']);

    await addVersion(join(root, 'other'), 1);
    await writeConfig(configPath, [
      { name: 'add', base_path: base },
      { name: 'other', base_path: join(root, 'other') },
    ]);
    await eventually(() => expect(states(m, 'other')).toEqual(['1:AVAILABLE']));
    expect(m.configStatus().error).toBeUndefined();
    expect((await load.stop()).failures).toEqual([]);
  });

  it('refuses dynamic_batching on a model with a fixed batch, closes it, and loads it once the key goes', async () => {
    const base = join(root, 'fixed');
    await addVersion(base, 1, 'fixed_shape');
    await writeConfig(configPath, [
      { name: 'fixed', base_path: base, dynamic_batching: { max_batch_size: 4 } },
    ]);
    const m = await startManager();
    expect(m.status('fixed')).toEqual([
      {
        version: 1,
        state: 'LOADING',
        errorCode: 2,
        errorMessage: 'UNKNOWN',
        reason:
          'Configuration file is invalid - model fixed: dynamic_batching needs the first dimension of every input dynamic or batch_size auto; input x has shape (1,3)',
      },
    ]);
    // The engine loaded it before the refusal: that copy is closed, not leaked.
    expect(engine.open).toBe(0);

    await writeConfig(configPath, [{ name: 'fixed', base_path: base }]);
    await eventually(() => expect(states(m, 'fixed')).toEqual(['1:AVAILABLE']));
  });

  it('batches a model with dynamic_batching: concurrent requests share one engine call', async () => {
    const base = join(root, 'add');
    await addVersion(base, 1);
    await writeConfig(configPath, [
      {
        name: 'add',
        base_path: base,
        dynamic_batching: { max_batch_size: 4, max_queue_delay_microseconds: 60_000_000 },
      },
    ]);
    const m = await startManager();
    await using lease = await m.acquire('add');
    const row = (value: number) =>
      createNumericTensor('FP32', [1, 4], bytesOf(new Float32Array(4).fill(value)));
    const answers = await Promise.all(
      [1, 2, 3, 4].map((value) =>
        lease.servable.infer({
          inputs: new Map([
            ['a', row(value)],
            ['b', row(10 * value)],
          ]),
        }),
      ),
    );
    expect(engine.calls).toBe(1);
    expect(
      answers.map((outputs) => [...typedView('FP32', outputs.get('sum')!.data as Uint8Array)]),
    ).toEqual([11, 22, 33, 44].map((sum) => [sum, sum, sum, sum]));
  });

  it('reports a corrupt version with its error while the other versions serve', async () => {
    const base = join(root, 'add');
    await addVersion(base, 1);
    await addVersion(base, 2, 'corrupt');
    await writeConfig(configPath, [
      { name: 'add', base_path: base, model_version_policy: { all: {} } },
    ]);
    const m = await startManager();
    const [first, second] = m.status('add');
    expect(first).toEqual({ version: 1, state: 'AVAILABLE', errorCode: 0, errorMessage: 'OK' });
    expect(second).toEqual({
      version: 2,
      state: 'LOADING',
      errorCode: 2,
      errorMessage: 'UNKNOWN',
      reason: expect.any(String) as unknown,
    });
    expect(second?.reason).toBeTruthy();
    await using lease = await m.acquire('add');
    expect(lease.servable.version).toBe(1);
    await expect(m.acquire('add', 2)).rejects.toMatchObject({
      code: 'MODEL_VERSION_NOT_LOADED_YET',
    });

    // Fixing the files is noticed at the next poll.
    await rm(join(base, '2'), { recursive: true });
    await addVersion(base, 2);
    await eventually(() => expect(states(m, 'add')).toEqual(['1:AVAILABLE', '2:AVAILABLE']));
  });

  it('ends 20 rapid config rewrites in the last state with no leaked sessions', async () => {
    for (const name of ['a', 'b', 'c']) {
      for (const version of [1, 2]) await addVersion(join(root, name), version);
    }
    const model = (name: string, policy?: object) => ({
      name,
      base_path: join(root, name),
      ...(policy === undefined ? {} : { model_version_policy: policy }),
    });
    const rewrites = Array.from({ length: 20 }, (_, i) => [
      model('a', i % 2 === 0 ? { all: {} } : undefined),
      ...(i % 3 === 0 ? [model('b')] : []),
      ...(i % 4 === 1 ? [model('c', { specific: { versions: [1] } })] : []),
    ]);
    await writeConfig(configPath, [model('a')]);
    const m = await startManager();
    const load = continuousLoad(m, 'a', 2);
    for (const models of rewrites) {
      await writeConfig(configPath, models);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Last rewrite (i = 19): a with latest 1, no b, no c.
    await eventually(() => {
      // Version 1 of a was loaded only if an `all` rewrite was seen by a poll; it ends either way.
      expect(states(m, 'a').filter((s) => !s.endsWith(':END'))).toEqual(['2:AVAILABLE']);
      // A model may have been in the config for less than one poll and never seen at all.
      for (const name of ['b', 'c']) {
        const seen = m.servableNames().includes(name) ? m.status(name) : [];
        expect(seen.every((s) => s.state === 'END')).toBe(true);
      }
      expect(engine.open).toBe(1);
    }, 3000);
    expect((await load.stop()).failures).toEqual([]);
  });
});
