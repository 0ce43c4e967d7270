import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import type {
  InferRequest,
  LoadedModel,
  Servable,
  ServableAdmin,
  ServableLease,
  ServableProvider,
  TensorMap,
  VersionState,
  VersionStatus,
} from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { writeFixtureModel } from '@ovms/testing';
import type { ModelFixtureName } from '@ovms/testing';

/** One version the provider knows: loaded (AVAILABLE) or only a state to report. */
interface VersionEntry {
  readonly version: number;
  readonly state: VersionState;
  readonly servable: Servable | undefined;
}

export interface FixtureVersion {
  readonly version: number;
  /** A fixture model loaded by onnxruntime, or a state without a model (LOADING, END, …). */
  readonly fixture?: ModelFixtureName;
  readonly state?: VersionState;
  /** Make infer fail as a broken engine would. */
  readonly failInfer?: boolean;
}

/**
 * The smallest real ServableProvider/ServableAdmin: fixture models loaded by onnxruntime, with
 * the lookup rules of the model manager (MODEL_NAME_MISSING, MODEL_VERSION_MISSING, default =
 * highest AVAILABLE, NOT_LOADED_YET / NOT_LOADED_ANYMORE by state). The real manager is wired in
 * by the app; this one lets the transport be tested end to end on real inference.
 */
export class FixtureProvider implements ServableProvider, ServableAdmin {
  readonly #models = new Map<string, VersionEntry[]>();
  readonly #loaded: LoadedModel[] = [];
  readonly #root: string;
  ready = true;
  reloads = 0;
  reloadError: ServingError | undefined;
  leasesHeld = 0;

  private constructor(root: string) {
    this.#root = root;
  }

  static async create(
    models: Readonly<Record<string, readonly FixtureVersion[]>>,
  ): Promise<FixtureProvider> {
    const provider = new FixtureProvider(await mkdtemp(join(tmpdir(), 'ovms-api-grpc-')));
    const engine = createOnnxRuntimeEngine();
    for (const [name, versions] of Object.entries(models)) {
      const entries: VersionEntry[] = [];
      for (const spec of versions) {
        if (spec.fixture === undefined) {
          entries.push({
            version: spec.version,
            state: spec.state ?? 'LOADING',
            servable: undefined,
          });
          continue;
        }
        const dir = join(provider.#root, name, String(spec.version));
        await writeFixtureModel(spec.fixture, 'onnx', dir);
        const model = await engine.load(dir, {});
        provider.#loaded.push(model);
        entries.push({
          version: spec.version,
          state: 'AVAILABLE',
          servable: servableOf(name, spec.version, model, spec.failInfer === true),
        });
      }
      provider.#models.set(name, entries);
    }
    return provider;
  }

  acquire(name: string, version?: number): Promise<ServableLease> {
    const entries = this.#entries(name);
    const entry =
      version === undefined || version === 0
        ? defaultEntry(entries)
        : entries.find((candidate) => candidate.version === version);
    if (entry === undefined)
      return Promise.reject(new ServingError(StatusCode.MODEL_VERSION_MISSING));
    if (entry.state === 'START' || entry.state === 'LOADING') {
      return Promise.reject(new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_YET));
    }
    if (entry.servable === undefined) {
      return Promise.reject(new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE));
    }
    this.leasesHeld += 1;
    const servable = entry.servable;
    return Promise.resolve({
      servable,
      [Symbol.asyncDispose]: () => {
        this.leasesHeld -= 1;
        return Promise.resolve();
      },
    });
  }

  status(name: string, version?: number): readonly VersionStatus[] {
    const entries = this.#entries(name);
    const chosen =
      version === undefined || version === 0
        ? entries
        : entries.filter((entry) => entry.version === version);
    if (chosen.length === 0 && version !== undefined && version !== 0) {
      throw new ServingError(StatusCode.MODEL_VERSION_MISSING);
    }
    return chosen.map((entry) => ({
      version: entry.version,
      state: entry.state,
      errorCode: 0,
      errorMessage: 'OK',
    }));
  }

  isReady(): boolean {
    return this.ready;
  }

  servableNames(): readonly string[] {
    return [...this.#models.keys()];
  }

  reloadConfig(): Promise<boolean> {
    this.reloads += 1;
    return this.reloadError ? Promise.reject(this.reloadError) : Promise.resolve(false);
  }

  async close(): Promise<void> {
    await Promise.all(this.#loaded.map((model) => model.close()));
    await rm(this.#root, { recursive: true, force: true });
  }

  #entries(name: string): VersionEntry[] {
    const entries = this.#models.get(name);
    if (entries === undefined) throw new ServingError(StatusCode.MODEL_NAME_MISSING);
    return entries;
  }
}

function defaultEntry(entries: readonly VersionEntry[]): VersionEntry | undefined {
  let best: VersionEntry | undefined;
  for (const entry of entries) {
    if (entry.state === 'AVAILABLE' && (best === undefined || entry.version > best.version)) {
      best = entry;
    }
  }
  return best;
}

function servableOf(name: string, version: number, model: LoadedModel, fail: boolean): Servable {
  return {
    name,
    version,
    kind: 'model',
    inputs: model.inputs,
    outputs: model.outputs,
    async infer(request: InferRequest): Promise<TensorMap> {
      if (fail) throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, 'engine failed');
      return model.infer(request.inputs, request.signal);
    },
  };
}
