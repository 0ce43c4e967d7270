import { createNumericTensor } from '@ovms/core';
import type { Engine, LoadedModel, ModelLoadOptions, TensorMap } from '@ovms/core';
import { createRecordingLogger } from '@ovms/testing';
import type { RecordingLogger } from '@ovms/testing';
import { createEngineSelector } from '../src/index.js';
import type {
  ManagedVersionStatus,
  ModelDefinition,
  ModelManager,
  ModelManagerOptions,
  ModelRepository,
} from '../src/index.js';

/** A repository over a Map: basePath → version → fingerprint. */
export class FakeRepository implements ModelRepository {
  readonly models = new Map<string, Map<number, string>>();
  readonly released: string[] = [];
  unreachable = new Set<string>();

  set(basePath: string, version: number, fingerprint = `v${version}`): void {
    let versions = this.models.get(basePath);
    if (versions === undefined) this.models.set(basePath, (versions = new Map<number, string>()));
    versions.set(version, fingerprint);
  }

  remove(basePath: string, version: number): void {
    this.models.get(basePath)?.delete(version);
  }

  listVersions(basePath: string): Promise<number[]> {
    const versions = this.models.get(basePath);
    if (versions === undefined || this.unreachable.has(basePath)) {
      return Promise.reject(new Error(`Directory does not exist: ${basePath}`));
    }
    return Promise.resolve([...versions.keys()]);
  }

  fingerprint(basePath: string, version: number): Promise<string> {
    const fingerprint = this.models.get(basePath)?.get(version);
    return fingerprint === undefined
      ? Promise.reject(new Error('gone'))
      : Promise.resolve(fingerprint);
  }

  download(basePath: string, version: number): Promise<string> {
    return Promise.resolve(`${basePath}/${version}`);
  }

  release(localDir: string): Promise<void> {
    this.released.push(localDir);
    return Promise.resolve();
  }
}

/**
 * An engine whose models echo input `x` as output `y`. Directories listed in `corrupt` fail to
 * load; `gates` holds a directory's load until released; `open` counts unclosed instances.
 */
export class FakeEngine implements Engine {
  readonly name = 'fake';
  readonly corrupt = new Set<string>();
  readonly gates = new Map<string, Promise<void>>();
  readonly loads: { dir: string; options: ModelLoadOptions }[] = [];
  /** Output names other than `y`, by directory: a metadata change between versions. */
  readonly outputNames = new Map<string, string>();
  open = 0;
  /** Fills the infer timing as real engines do (off: an engine that reports no timing). */
  timed = false;

  canLoad(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Holds loads of `dir` until the returned function is called. */
  gate(dir: string): () => void {
    let open!: () => void;
    this.gates.set(dir, new Promise<void>((resolve) => (open = resolve)));
    return () => {
      this.gates.delete(dir);
      open();
    };
  }

  async load(dir: string, options: ModelLoadOptions): Promise<LoadedModel> {
    this.loads.push({ dir, options });
    await this.gates.get(dir);
    if (this.corrupt.has(dir)) throw new Error(`Cannot read model file in ${dir}`);
    this.open += 1;
    let closed = false;
    return {
      inputs: [{ name: 'x', dtype: 'FP32', shape: [-1, 2] }],
      outputs: [{ name: this.outputNames.get(dir) ?? 'y', dtype: 'FP32', shape: [-1, 2] }],
      infer: async (inputs: TensorMap, _signal, timing): Promise<TensorMap> => {
        const started = performance.now();
        await new Promise((resolve) => setImmediate(resolve));
        if (this.timed && timing !== undefined) {
          timing.waitUs = 0;
          timing.inferenceUs = Math.round((performance.now() - started) * 1000);
        }
        if (closed) throw new Error(`${dir} was closed during inference`);
        const x = inputs.get('x') ?? createNumericTensor('FP32', [1, 2], new Uint8Array(8));
        return new Map([['y', x]]);
      },
      close: () => {
        if (closed) throw new Error(`${dir} closed twice`);
        closed = true;
        this.open -= 1;
        return Promise.resolve();
      },
    };
  }
}

/** Polls `check` every 5 ms until it passes or `timeoutMs` runs out. */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

export interface ManagerHarness {
  readonly repository: FakeRepository;
  readonly engine: FakeEngine;
  readonly logger: RecordingLogger;
}

/** A model definition over the fake repository (`/repo/<name>`). */
export function definition(
  name: string,
  versionPolicy: ModelDefinition['versionPolicy'] = { kind: 'latest', numVersions: 1 },
  loadOptions: ModelLoadOptions = {},
): ModelDefinition {
  return { name, basePath: `/repo/${name}`, versionPolicy, loadOptions };
}

/** Fakes plus manager options wired to them; polling off unless the test turns it on. */
export function harness(): ManagerHarness & {
  options: <D = unknown>(extra?: Partial<ModelManagerOptions<D>>) => ModelManagerOptions<D>;
} {
  const repository = new FakeRepository();
  const engine = new FakeEngine();
  const logger = createRecordingLogger();
  return {
    repository,
    engine,
    logger,
    options: <D = unknown>(extra: Partial<ModelManagerOptions<D>> = {}) => ({
      repository,
      engines: createEngineSelector([engine]),
      logger,
      pollIntervalMs: 0,
      loadingWaitMs: 100,
      ...extra,
    }),
  };
}

/** Every servable the manager knows with its `status()`: what `GET /v1/config` is built from. */
export function everyStatus(
  manager: ModelManager,
): Record<string, readonly ManagedVersionStatus[]> {
  return Object.fromEntries(manager.servableNames().map((name) => [name, manager.status(name)]));
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
