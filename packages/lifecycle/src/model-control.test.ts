import { ServingError, StatisticsRecorder, StatusCode, createNumericTensor } from '@ovms/core';
import type { ModelControl, ModelControlMode } from '@ovms/core';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { definition, harness, rejection } from '../test/fakes.js';
import { checkModelName, createModelControl } from './model-control.js';
import { ModelManager } from './model-manager.js';
import type { ManagerConfig, ModelDefinition } from './types.js';

let manager: ModelManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

const inputs = new Map([['x', createNumericTensor('FP32', [1, 2], new Uint8Array(8))]]);

/** `nireq` in a config override reaches the load options, as the app's zod mapping does. */
function defineModel(name: string, config: string | undefined): ModelDefinition {
  const override = config === undefined ? {} : (JSON.parse(config) as { nireq?: number });
  return definition(name, undefined, override.nireq === undefined ? {} : { nireq: override.nireq });
}

interface Setup {
  readonly mode?: ModelControlMode;
  readonly config?: ManagerConfig;
  /** Folders of the repository; each gets version 1. */
  readonly folders?: readonly string[];
}

async function setup({ mode = 'explicit', config, folders = ['a', 'b'] }: Setup = {}) {
  const h = harness();
  h.engine.timed = true;
  for (const folder of folders) h.repository.set(`/repo/${folder}`, 1);
  const statistics = new StatisticsRecorder();
  const m = new ModelManager(
    h.options({
      metrics: statistics,
      ...(config !== undefined && { config }),
      ...(mode === 'none' && {
        initialModels: () => Promise.resolve(folders.map((name) => definition(name))),
      }),
    }),
  );
  manager = m;
  await m.start();
  const control: ModelControl = createModelControl({
    manager: m,
    mode,
    listRepository: () => Promise.resolve(folders),
    defineModel,
    statistics,
  });
  return { ...h, manager: m, control, statistics };
}

const failure = async (promise: Promise<unknown>) => {
  const error = (await rejection(promise)) as ServingError;
  expect(error).toBeInstanceOf(ServingError);
  return { code: error.code, message: error.message };
};

describe('createModelControl in explicit mode', () => {
  it('loads nothing at start, then loads, indexes and unloads repository folders on request', async () => {
    const { control, manager: m, engine } = await setup();
    expect(await control.index()).toEqual([
      { name: 'a', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
      { name: 'b', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
    ]);
    await control.load('a');
    expect(engine.open).toBe(1);
    expect(await control.index({ ready: true })).toEqual([
      { name: 'a', version: '1', state: 'READY', reason: '' },
    ]);
    {
      await using lease = await m.acquire('a');
      expect((await lease.servable.infer({ inputs })).has('y')).toBe(true);
    }
    await control.unload('a');
    expect(engine.open).toBe(0);
    expect(await control.index()).toEqual([
      { name: 'a', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' },
      { name: 'b', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
    ]);
    expect(await failure(m.acquire('a'))).toMatchObject({
      code: StatusCode.MODEL_VERSION_MISSING,
    });
  });

  it('reloads with a config override through the same lifecycle, and back', async () => {
    const { control, engine } = await setup();
    await control.load('a');
    await control.load('a', { config: '{"nireq":3}' });
    expect(engine.loads.map((load) => load.options)).toEqual([{}, { nireq: 3 }]);
    expect(engine.open).toBe(1);
    await control.load('a', { config: '{"nireq":3}' });
    expect(engine.loads).toHaveLength(2);
  });

  it('lets an unload under load fail no request admitted before it', async () => {
    const { control, manager: m, engine } = await setup();
    await control.load('a');
    const held = await m.acquire('a');
    onTestFinished(() => held[Symbol.asyncDispose]());
    const unloaded = control.unload('a');
    let settled = false;
    void unloaded.then(() => (settled = true));
    // UNLOADING at once: no new request is admitted …
    await expect.poll(() => m.status('a')[0]?.state).toBe('UNLOADING');
    expect(await failure(m.acquire('a'))).toMatchObject({
      code: StatusCode.MODEL_VERSION_MISSING,
    });
    // … but the admitted one runs on an open model, and the unload waits for it.
    expect((await held.servable.infer({ inputs })).has('y')).toBe(true);
    expect(settled).toBe(false);
    expect(engine.open).toBe(1);
    await held[Symbol.asyncDispose]();
    await unloaded;
    expect(m.status('a')[0]?.state).toBe('END');
    expect(engine.open).toBe(0);
  });

  it('reports a failed load with its reason, keeps it in the index and retries on the next request', async () => {
    const { control, engine } = await setup();
    engine.corrupt.add('/repo/a/1');
    expect(await failure(control.load('a'))).toEqual({
      code: StatusCode.MODEL_LOAD_FAILED,
      message: "Model failed to load - failed to load 'a': Cannot read model file in /repo/a/1",
    });
    expect((await control.index())[0]).toEqual({
      name: 'a',
      version: '1',
      state: 'UNAVAILABLE',
      reason: 'Cannot read model file in /repo/a/1',
    });
    engine.corrupt.clear();
    await control.load('a');
    expect((await control.index())[0]).toMatchObject({ state: 'READY' });
  });

  it('refuses a folder the repository does not have, and a model without versions', async () => {
    const { control } = await setup({ folders: ['a', 'empty'] });
    expect(await failure(control.load('zzz'))).toEqual({
      code: StatusCode.MODEL_NAME_MISSING,
      message: 'Model with requested name is not found - no folder "zzz" in the model repository',
    });
    expect(await failure(control.unload('zzz'))).toMatchObject({
      code: StatusCode.MODEL_NAME_MISSING,
    });
    // A repository folder that is not loaded unloads as a no-op, as in Triton.
    await control.unload('a');
  });

  it('leaves the models of the config file to the config file', async () => {
    const { control } = await setup({ config: { models: [definition('a')], pipelines: [] } });
    expect((await control.index())[0]).toMatchObject({ name: 'a', state: 'READY' });
    for (const call of [control.load('a'), control.unload('a')]) {
      expect(await failure(call)).toEqual({
        code: StatusCode.MODEL_CONTROL_CONFLICT,
        message:
          'Model is managed by the config file - model "a" is served from --config_path; change it there',
      });
    }
  });

  it('refuses every name that is not one plain folder name', async () => {
    const { control } = await setup();
    for (const name of ['', '.', '..', '../a', 'a/b', 'a\\b', 'a\0']) {
      for (const call of [control.load(name), control.unload(name)]) {
        expect(await failure(call)).toEqual({
          code: StatusCode.INVALID_ARGUMENT,
          message: `Invalid argument - model name must be one folder name of the model repository (no '/', '\\', '..' or empty name); got ${JSON.stringify(name)}`,
        });
      }
    }
    expect(() => checkModelName('resnet-50_v1.5')).not.toThrow();
  });
});

describe('createModelControl in none mode', () => {
  it('serves the repository from the start and refuses load and unload, saying how to enable them', async () => {
    const { control } = await setup({ mode: 'none' });
    expect(control.mode).toBe('none');
    expect((await control.index({ ready: true })).map((entry) => entry.name)).toEqual(['a', 'b']);
    for (const call of [control.load('a'), control.unload('b')]) {
      expect(await failure(call)).toEqual({
        code: StatusCode.MODEL_CONTROL_DISABLED,
        message:
          'explicit model load / unload is not allowed if polling is enabled - start ovms with --model_control_mode explicit and --model_repository_path to load and unload models by API',
      });
    }
  });
});

describe('createModelControl statistics', () => {
  it('reports the loaded versions with the totals the recorder observed', async () => {
    const { control, manager: m, statistics } = await setup();
    await control.load('a');
    await control.load('b');
    {
      await using lease = await m.acquire('a');
      await lease.servable.infer({ inputs });
    }
    statistics.requestDone({
      api: 'KServe',
      interface: 'gRPC',
      method: 'ModelInfer',
      name: 'a',
      version: 1,
      ok: true,
      durationUs: 900,
    });
    const [a, b] = control.statistics();
    expect(a).toMatchObject({
      name: 'a',
      version: 1,
      inferenceCount: 1,
      executionCount: 1,
      success: { count: 1, ns: 900_000 },
      fail: { count: 0, ns: 0 },
      computeInput: { count: 0, ns: 0 },
      computeOutput: { count: 0, ns: 0 },
    });
    expect(a?.queue.count).toBe(1);
    expect(a?.computeInfer.count).toBe(1);
    expect(a?.lastInference).toBeGreaterThan(0);
    expect(b).toMatchObject({ name: 'b', version: 1, inferenceCount: 0, executionCount: 0 });
    expect(control.statistics('b', 1)).toEqual([b]);
  });

  it('refuses a model it does not know, a version it does not have, and a model not loaded', async () => {
    const { control } = await setup();
    await control.load('a');
    expect(() => control.statistics('zzz')).toThrow(
      expect.objectContaining({ code: StatusCode.MODEL_NAME_MISSING }),
    );
    expect(() => control.statistics('a', 7)).toThrow(
      expect.objectContaining({ code: StatusCode.MODEL_VERSION_MISSING }),
    );
    await control.unload('a');
    expect(() => control.statistics('a')).toThrow(
      expect.objectContaining({
        code: StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE,
        message: 'Model with requested version is retired - model "a" has no version loaded',
      }),
    );
  });
});
