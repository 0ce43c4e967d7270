import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine, LoadedModel } from '@ovms/core';
import { readConfigFile, toModelLoadOptions } from '@ovms/config';
import {
  StorageRegistry,
  createLocalBackend,
  fingerprint,
  joinUri,
  listVersions,
} from '@ovms/storage';
import { writeFixtureModel } from '@ovms/testing';
import type { FixtureName } from '@ovms/testing';
import type { ConfigLoader, ModelRepository } from '../src/index.js';

/**
 * The model repository over @ovms/storage, adapted as the app will: versions from
 * `listVersions`, the stat-based `fingerprint`, `download` in place for local paths. The last
 * listing maps each version to its directory, since "007" also denotes version 7.
 */
export function storageRepository(registry: StorageRegistry, cacheDir: string): ModelRepository {
  const dirs = new Map<string, string>();
  const dirOf = (basePath: string, version: number): string =>
    dirs.get(`${basePath}#${version}`) ?? joinUri(basePath, String(version));
  return {
    async listVersions(basePath) {
      const found = await listVersions(registry.resolve(basePath), basePath);
      for (const dir of found) dirs.set(`${basePath}#${dir.version}`, dir.uri);
      return found.map((dir) => dir.version);
    },
    fingerprint: (basePath, version) => fingerprint(dirOf(basePath, version)),
    download: (basePath, version) =>
      registry
        .resolve(basePath)
        .download(dirOf(basePath, version), join(cacheDir, String(version))),
  };
}

/** A registry with the local backend, as apps/ovms registers it. */
export function localStorage(): StorageRegistry {
  const registry = new StorageRegistry();
  registry.register(createLocalBackend());
  return registry;
}

/** Wraps an engine to count the sessions it has open: loads minus closes. */
export class CountingEngine implements Engine {
  readonly name: string;
  open = 0;
  /** Inferences that reached the engine. */
  calls = 0;
  /** How long the last load took, in ms: a new version cannot serve sooner. */
  lastLoadMs = 0;
  readonly #inner: Engine;

  constructor(inner: Engine) {
    this.#inner = inner;
    this.name = inner.name;
  }

  canLoad(dir: string): Promise<boolean> {
    return this.#inner.canLoad(dir);
  }

  async load(dir: string, options: Parameters<Engine['load']>[1]): Promise<LoadedModel> {
    const started = performance.now();
    const loaded = await this.#inner.load(dir, options);
    this.lastLoadMs = performance.now() - started;
    this.open += 1;
    const usage = loaded.usage?.bind(loaded);
    return {
      inputs: loaded.inputs,
      outputs: loaded.outputs,
      infer: (inputs, signal, timing) => {
        this.calls += 1;
        return loaded.infer(inputs, signal, timing);
      },
      ...(usage !== undefined && { usage }),
      close: async () => {
        this.open -= 1;
        await loaded.close();
      },
    };
  }
}

/** The app's mapping from config.json to the manager's config, as apps/ovms will do it. */
export function configFileLoader(path: string): ConfigLoader {
  return async () => {
    const file = await readConfigFile(path);
    return {
      hash: file.hash,
      config: {
        models: file.config.models.map((model) => ({
          name: model.name,
          basePath: model.basePath,
          versionPolicy: model.versionPolicy,
          loadOptions: toModelLoadOptions(model),
          ...(model.engine === undefined ? {} : { engine: model.engine }),
          ...(model.dynamicBatching !== undefined && { dynamicBatching: model.dynamicBatching }),
        })),
        pipelines: file.config.pipelines.map((pipeline) => ({
          name: pipeline.name,
          definition: pipeline,
        })),
      },
    };
  };
}

export interface ConfigModel {
  readonly name: string;
  readonly base_path: string;
  readonly model_version_policy?: object;
  readonly dynamic_batching?: object;
}

/** Writes config.json atomically (rename), as editors and deploy tools do. */
export async function writeConfig(
  path: string,
  models: readonly ConfigModel[],
  extra = {},
): Promise<void> {
  const text = JSON.stringify({
    model_config_list: models.map((config) => ({ config })),
    ...extra,
  });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** Writes a fixture as `<base>/<version>`, atomically: built beside, then renamed in. */
export async function addVersion(
  base: string,
  version: number,
  fixture: FixtureName = 'add_f32',
): Promise<void> {
  const staging = join(base, `.staging-${version}`);
  await rm(staging, { recursive: true, force: true });
  await writeFixtureModel(fixture, 'onnx', staging);
  await mkdir(base, { recursive: true });
  await rename(staging, join(base, String(version)));
}
