import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import type { Logger } from '@ovms/core';
import type { ModelRepository } from '@ovms/lifecycle';
import {
  StorageRegistry,
  createLazyBackend,
  createLocalBackend,
  detectSingleFileModel,
  joinUri,
  listVersions,
  parseModelUri,
  removeLocalCopy,
} from '@ovms/storage';
import type { SingleFileModel } from '@ovms/storage';
import type { AzureBackendOptions } from '@ovms/storage-azure';
import type { GcsBackendOptions } from '@ovms/storage-gcs';
import type { S3BackendOptions } from '@ovms/storage-s3';

/** Settings of the cloud backends: read from `env` as OVMS does, then the explicit ones. */
export interface StorageOptions {
  /** Where S3_ENDPOINT, AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_* … are read (main.ts). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly s3?: S3BackendOptions;
  readonly gcs?: GcsBackendOptions;
  readonly azure?: AzureBackendOptions;
  readonly logger?: Logger;
}

// startServer creates the registry without arguments (server.ts is not this module's to
// change), so main.ts hands the environment's settings over here before it starts the server.
let configured: StorageOptions = {};

/** Sets the options `createStorageRegistry()` uses when called without any (main.ts only). */
export function useStorageOptions(options: StorageOptions): void {
  configured = options;
}

/**
 * The storage backends this server registers: local paths (and NFS mounts), `s3://`, `gs://`,
 * `az://` and `azfs://`. Each cloud package (and its SDK) is imported on the first request for
 * its scheme: a server that serves local models never holds the SDKs in its heap, which every
 * full garbage collection would mark again (docs/performance.md). Cloud clients connect on
 * first use too, so a server without cloud settings fails only the models that name a bucket.
 */
export function createStorageRegistry(options: StorageOptions = configured): StorageRegistry {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? {};
  const registry = new StorageRegistry();
  registry.register(createLocalBackend());
  registry.register(
    createLazyBackend(['s3'], async () => {
      const s3 = await import('@ovms/storage-s3');
      return s3.createS3Backend({ logger, ...s3.s3OptionsFromEnv(env), ...options.s3 });
    }),
  );
  registry.register(
    createLazyBackend(['gs'], async () => {
      const gcs = await import('@ovms/storage-gcs');
      return gcs.createGcsBackend({ logger, ...gcs.gcsOptionsFromEnv(env), ...options.gcs });
    }),
  );
  registry.register(
    createLazyBackend(['az', 'azfs'], async () => {
      const azure = await import('@ovms/storage-azure');
      return azure.createAzureBackend({
        logger,
        ...azure.azureOptionsFromEnv(env),
        ...options.azure,
      });
    }),
  );
  return registry;
}

export interface StorageRepositoryOptions {
  readonly registry: StorageRegistry;
  /** Where remote versions are downloaded and single model files get their version folder. */
  readonly workDir: string;
}

/**
 * The lifecycle's ModelRepository over the StorageRegistry: versions from `listVersions`,
 * each backend's `fingerprint`, `download` through the backend (in place for local paths). A
 * remote version is downloaded into a directory of its own for every load,
 * `<workDir>/remote/<sha(basePath)>/<version>-<random>`, because a reload loads the new copy
 * before the old one is released; `release` deletes only such copies. A local `base_path`
 * naming one model file is served as version 1 (SPEC "Model repository") through a folder of
 * symlinks, because engines load a directory and the file's own directory may hold other models.
 */
export function createStorageRepository(options: StorageRepositoryOptions): ModelRepository {
  const { registry, workDir } = options;
  const cacheRoot = resolve(workDir, 'remote');
  // The last listing maps each version to its directory, since "007" also denotes version 7.
  const dirs = new Map<string, string>();
  const versionKey = (basePath: string, version: number) => `${basePath}#${version}`;
  const dirOf = (basePath: string, version: number): string =>
    dirs.get(versionKey(basePath, version)) ?? joinUri(basePath, String(version));
  const slotOf = (root: string, basePath: string) =>
    join(root, createHash('sha256').update(basePath).digest('hex').slice(0, 16));
  // Copies a crashed download left behind are never loaded; remove them once, before the first.
  let cleaned: Promise<void> | undefined;

  return {
    async listVersions(basePath) {
      const single = await singleFileModel(basePath);
      if (single !== undefined) {
        const versionDir = join(slotOf(workDir, basePath), '1');
        await linkSingleFile(single, versionDir);
        dirs.set(versionKey(basePath, 1), versionDir);
        return [1];
      }
      const found = await listVersions(registry.resolve(basePath), basePath);
      for (const dir of found) dirs.set(versionKey(basePath, dir.version), dir.uri);
      return found.map((dir) => dir.version);
    },
    // The lifecycle only calls this after listVersions, so dirOf knows the directory.
    fingerprint: (basePath, version) => {
      const dir = dirOf(basePath, version);
      const backend = registry.resolve(dir);
      if (backend.fingerprint === undefined)
        throw new ServingError(StatusCode.INTERNAL_ERROR, `cannot fingerprint ${dir}`);
      return backend.fingerprint(dir);
    },
    download: async (basePath, version) => {
      const dir = dirOf(basePath, version);
      const backend = registry.resolve(dir);
      // Local backends load in place and ignore the target folder.
      if (parseModelUri(dir).scheme === '') return backend.download(dir, workDir);
      cleaned ??= removeStalePartials(cacheRoot);
      await cleaned;
      const unique = `${version}-${randomBytes(4).toString('hex')}`;
      return backend.download(dir, join(slotOf(cacheRoot, basePath), unique));
    },
    release: async (localDir) => {
      if (isInside(cacheRoot, resolve(localDir))) await removeLocalCopy(localDir);
    },
  };
}

/** Whether `path` lies strictly below `root` (a repository path never does). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Removes the hidden `.<version>.partial-*` folders of interrupted downloads under `cacheRoot`. */
async function removeStalePartials(cacheRoot: string): Promise<void> {
  const slots = await readdir(cacheRoot).catch(() => []);
  for (const slot of slots) {
    const entries = await readdir(join(cacheRoot, slot)).catch(() => []);
    for (const entry of entries)
      if (entry.startsWith('.') && entry.includes('.partial-'))
        await rm(join(cacheRoot, slot, entry), { recursive: true, force: true });
  }
}

async function singleFileModel(basePath: string): Promise<SingleFileModel | undefined> {
  // Only local paths can name a file; cloud base paths are always repositories.
  if (parseModelUri(basePath).scheme !== '') return undefined;
  return detectSingleFileModel(basePath);
}

/** Makes `versionDir` hold links to the model file (and an IR's `.bin`), idempotently. */
async function linkSingleFile(model: SingleFileModel, versionDir: string): Promise<void> {
  const targets = [model.file];
  if (model.file.toLowerCase().endsWith('.xml'))
    targets.push(model.file.replace(/\.xml$/i, '.bin'));
  await mkdir(versionDir, { recursive: true });
  for (const target of targets) {
    const link = join(versionDir, basename(target));
    const current = await readlink(link).catch(() => undefined);
    if (current === target) continue;
    await rm(link, { force: true });
    await symlink(target, link);
  }
}
