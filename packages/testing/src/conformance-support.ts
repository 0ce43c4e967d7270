import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  ServingError,
  createModelServable,
  type Engine,
  type LoadedModel,
  type ModelLoadOptions,
  type Servable,
  type TensorSpec,
  type StatusCode,
  type TensorMap,
} from '@ovms/core';
import type { FixtureName } from './fixture-graphs.js';
import { writeFixtureRepository, type FixtureFormat } from './fixtures.js';
import { decodeValues } from './values.js';

/** What an engine can do beyond what every engine must; each flag is asserted either way. */
export interface EngineCapabilities {
  /**
   * `shape` / `batchSize` may change dimensions the model fixes (OpenVINO reshape). Without
   * it, load must reject such options with RESHAPE_ERROR.
   */
  readonly reshape: boolean;
  /**
   * `layout: { x: 'NHWC:NCHW' }` makes the model take NHWC input (OpenVINO preprocessing).
   * Without it, load must reject a transposing layout with NOT_IMPLEMENTED naming `layout`.
   */
  readonly layout: boolean;
}

export const DEFAULT_CAPABILITIES: EngineCapabilities = { reshape: true, layout: true };

/** Per-format state shared by the conformance test groups. */
export interface ConformanceContext {
  readonly format: FixtureFormat;
  readonly capabilities: EngineCapabilities;
  engine(): Engine;
  /** Version directory of a fixture in this format. */
  dir(name: FixtureName): string;
  /** The scratch root, for tests that need extra directories. */
  root(): string;
  /** Loads a fixture; the model is closed after the test. */
  load(name: FixtureName, options?: ModelLoadOptions): Promise<LoadedModel>;
}

/** Registers beforeAll/afterEach/afterAll hooks in the current describe and returns its context. */
export function useConformanceContext(
  format: FixtureFormat,
  capabilities: EngineCapabilities,
  createEngine: () => Promise<Engine> | Engine,
): ConformanceContext {
  let root: string | undefined;
  let dirs: Record<string, string> = {};
  let engine: Engine | undefined;
  const open: LoadedModel[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `ovms-conformance-${format}-`));
    dirs = await writeFixtureRepository(root, [format]);
    engine = await createEngine();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((model) => model.close()));
  });
  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  const context: ConformanceContext = {
    format,
    capabilities,
    engine: () => {
      if (engine === undefined) throw new Error('conformance engine is not created yet');
      return engine;
    },
    dir: (name) => {
      const dir = dirs[`${name}_${format}`];
      if (dir === undefined) throw new Error(`fixture ${name}_${format} was not written`);
      return dir;
    },
    root: () => {
      if (root === undefined) throw new Error('conformance root is not created yet');
      return root;
    },
    load: async (name, options = {}) => {
      const model = await context.engine().load(context.dir(name), options);
      open.push(model);
      return model;
    },
  };
  return context;
}

/** Awaits `promise`, expecting a ServingError with `code` whose message contains each fragment. */
export async function expectServingError(
  promise: Promise<unknown>,
  code: StatusCode,
  ...fragments: readonly string[]
): Promise<ServingError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a ServingError ${code}`).toBeInstanceOf(ServingError);
  const serving = error as ServingError;
  expect({ code: serving.code, message: serving.message }).toMatchObject({ code });
  for (const fragment of fragments) expect(serving.message).toContain(fragment);
  return serving;
}

/** Asserts outputs equal the reference exactly: names, dtypes, shapes and every element. */
export function expectTensorsEqual(actual: TensorMap, expected: TensorMap): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name);
    expect(got?.dtype, `dtype of ${name}`).toBe(want.dtype);
    expect(got?.shape, `shape of ${name}`).toEqual(want.shape);
    if (got === undefined || got.dtype === 'BYTES' || want.dtype === 'BYTES') continue;
    expect(decodeValues(got.dtype, got.data), `values of ${name}`).toEqual(
      decodeValues(want.dtype, want.data),
    );
  }
}

/**
 * A loaded model as requests reach it: through core's model servable, which checks inputs
 * against the model's current specs before the engine runs.
 */
export function served(model: LoadedModel): Servable {
  return createModelServable({ name: 'conformance', version: 1, loaded: model });
}

/** Name, dtype and shape only: what metadata answers show of a spec. */
export function plainSpecs(specs: readonly TensorSpec[]): TensorSpec[] {
  return specs.map(({ name, dtype, shape }) => ({ name, dtype, shape }));
}
