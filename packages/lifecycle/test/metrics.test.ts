import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceRecord, MetricsRecorder } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { fixtureSpec } from '@ovms/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelManager, createEngineSelector } from '../src/index.js';
import type { ModelManagerOptions } from '../src/index.js';
import { createRecordingLogger } from '@ovms/testing';
import { CountingEngine, addVersion, localStorage, storageRepository } from './support.js';

const spec = fixtureSpec('add_f32');

let root: string;
let engine: CountingEngine;
let manager: ModelManager | undefined;
let inferences: InferenceRecord[];

const recorder: MetricsRecorder = {
  requestStarted: () => {},
  requestDone: () => {},
  inferenceDone: (record) => inferences.push(record),
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-lifecycle-metrics-'));
  engine = new CountingEngine(createOnnxRuntimeEngine());
  inferences = [];
  await addVersion(join(root, 'add'), 1);
  await addVersion(join(root, 'add'), 2);
});

afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  expect(engine.open).toBe(0);
  await rm(root, { recursive: true, force: true });
});

async function startManager(extra: Partial<ModelManagerOptions> = {}): Promise<ModelManager> {
  manager = new ModelManager({
    repository: storageRepository(localStorage(), join(root, 'cache')),
    engines: createEngineSelector([engine]),
    config: {
      models: [
        {
          name: 'add',
          basePath: join(root, 'add'),
          versionPolicy: { kind: 'all' },
          loadOptions: { nireq: 1 },
        },
      ],
      pipelines: [],
    },
    logger: createRecordingLogger(),
    pollIntervalMs: 0,
    ...extra,
  });
  await manager.start();
  return manager;
}

describe('model manager metrics with the onnxruntime engine', () => {
  it('reports every AVAILABLE version with its pool, and overlapping requests', async () => {
    const m = await startManager({ metrics: recorder });
    expect([...m.usage()]).toEqual([
      { name: 'add', version: 1, active: 0, queued: 0, nireq: 1 },
      { name: 'add', version: 2, active: 0, queued: 0, nireq: 1 },
    ]);
    await using lease = await m.acquire('add', 2);
    const runs = [1, 2, 3].map((seed) =>
      lease.servable.infer({ inputs: spec.sampleInputs({ seed }) }),
    );
    expect([...m.usage()]).toContainEqual({
      name: 'add',
      version: 2,
      active: 1,
      queued: 2,
      nireq: 1,
    });
    await Promise.all(runs);
    expect([...m.usage()]).toContainEqual({
      name: 'add',
      version: 2,
      active: 0,
      queued: 0,
      nireq: 1,
    });
  });

  it("reports each inference's engine timing with the model name and version", async () => {
    const m = await startManager({ metrics: recorder });
    await using lease = await m.acquire('add');
    await Promise.all(
      [1, 2, 3].map((seed) => lease.servable.infer({ inputs: spec.sampleInputs({ seed }) })),
    );
    expect(inferences).toHaveLength(3);
    for (const record of inferences) {
      expect(record).toMatchObject({ name: 'add', version: 2 });
      expect(record.inferenceUs).toBeGreaterThan(0);
      expect(record.waitUs).toBeGreaterThanOrEqual(0);
    }
    // With one infer request, the second and third waited for the runs before them.
    const [first, second, third] = inferences;
    expect(second?.waitUs).toBeGreaterThanOrEqual(first?.inferenceUs ?? Infinity);
    expect(third?.waitUs).toBeGreaterThan(0);
  });

  it('reports nothing for a request the engine refuses', async () => {
    const m = await startManager({ metrics: recorder });
    await using lease = await m.acquire('add');
    await expect(lease.servable.infer({ inputs: new Map() })).rejects.toThrow();
    expect(inferences).toEqual([]);
  });

  it('leaves versions out of usage once they are no longer AVAILABLE', async () => {
    const m = await startManager();
    expect([...m.usage()].map((usage) => usage.version)).toEqual([1, 2]);
    await m.stop();
    manager = undefined;
    expect([...m.usage()]).toEqual([]);
  });

  it('serves without timing when no recorder is given', async () => {
    const m = await startManager();
    await using lease = await m.acquire('add');
    expect((await lease.servable.infer({ inputs: spec.sampleInputs() })).has('sum')).toBe(true);
    expect(inferences).toEqual([]);
  });
});
