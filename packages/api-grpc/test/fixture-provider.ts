import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelServable, type LoadedModel, type VersionState } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { TestServableProvider, createJsModel, writeFixtureModel } from '@ovms/testing';
import type { ModelFixtureName } from '@ovms/testing';

export interface FixtureVersion {
  readonly version: number;
  /** A fixture model loaded by onnxruntime, or a state without a model (LOADING, END, …). */
  readonly fixture?: ModelFixtureName;
  readonly state?: VersionState;
  /** Make infer fail as a broken engine would: with a plain Error. */
  readonly failInfer?: boolean;
}

/**
 * The shared TestServableProvider over fixture models loaded by onnxruntime and served through
 * core's model servable, so the transport is tested end to end on real inference.
 */
export class FixtureProvider extends TestServableProvider {
  readonly #loaded: LoadedModel[] = [];
  readonly #root: string;

  private constructor(root: string) {
    super();
    this.#root = root;
  }

  static async create(
    models: Readonly<Record<string, readonly FixtureVersion[]>>,
  ): Promise<FixtureProvider> {
    const provider = new FixtureProvider(await mkdtemp(join(tmpdir(), 'ovms-api-grpc-')));
    const engine = createOnnxRuntimeEngine();
    for (const [name, versions] of Object.entries(models)) {
      for (const spec of versions) {
        if (spec.fixture === undefined) {
          provider.add(name, spec.version, { state: spec.state ?? 'LOADING' });
          continue;
        }
        const dir = join(provider.#root, name, String(spec.version));
        await writeFixtureModel(spec.fixture, 'onnx', dir);
        const model = await engine.load(dir, {});
        provider.#loaded.push(model);
        const loaded = spec.failInfer === true ? failing(model) : model;
        provider.add(name, spec.version, {
          state: 'AVAILABLE',
          servable: createModelServable({ name, version: spec.version, loaded }),
        });
      }
    }
    return provider;
  }

  async close(): Promise<void> {
    await Promise.all(this.#loaded.map((model) => model.close()));
    await rm(this.#root, { recursive: true, force: true });
  }
}

function failing(model: LoadedModel): LoadedModel {
  return createJsModel(model.inputs, model.outputs, () => {
    throw new Error('engine failed');
  });
}
