import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ServingError, StatusCode, createModelServable } from '@ovms/core';
import type { Engine, LoadedModel, ServableLease, ServableProvider } from '@ovms/core';
import type { ModelCatalog } from '@ovms/dag';

/**
 * A small ServableProvider over real models loaded by one engine (the model manager is not
 * needed to run a pipeline): each model file is linked into its own `<name>/1/` folder, as an
 * engine loads a version directory, and served as version 1.
 */
export class ModelProvider implements ServableProvider {
  readonly models = new Map<string, LoadedModel>();
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async load(engine: Engine, files: ReadonlyMap<string, string>): Promise<ModelProvider> {
    const provider = new ModelProvider(await mkdtemp(join(tmpdir(), 'ocr-models-')));
    try {
      for (const [name, file] of files) {
        const dir = join(provider.#dir, name, '1');
        await mkdir(dir, { recursive: true });
        await symlink(file, join(dir, basename(file)));
        provider.models.set(name, await engine.load(dir, {}));
      }
    } catch (error) {
      await provider.close();
      throw error;
    }
    return provider;
  }

  model(name: string): LoadedModel {
    const model = this.models.get(name);
    if (model === undefined) throw new ServingError(StatusCode.MODEL_NAME_MISSING, name);
    return model;
  }

  readonly catalog: ModelCatalog = (name, version) => {
    const model = this.models.get(name);
    if (model === undefined || (version !== undefined && version !== 1)) return 'missing';
    return { inputs: model.inputs, outputs: model.outputs };
  };

  acquire(name: string, version?: number): Promise<ServableLease> {
    const model = this.models.get(name);
    if (model === undefined || (version !== undefined && version !== 1)) {
      return Promise.reject(new ServingError(StatusCode.MODEL_NAME_MISSING));
    }
    return Promise.resolve({
      servable: createModelServable({ name, version: 1, loaded: model }),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    });
  }

  status() {
    return [];
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    for (const model of this.models.values()) await model.close();
    this.models.clear();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
