import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import { removeLocalCopy } from './local-copy.js';
import { joinUri, parseModelUri } from './model-uri.js';
import { detectSingleFileModel, isGenaiModelFolder } from './single-file-model.js';
import type { SingleFileModel } from './single-file-model.js';
import type { StorageRegistry } from './storage-registry.js';
import { listVersions } from './version-dirs.js';

/**
 * A model repository over a StorageRegistry, in the shape `@ovms/lifecycle`'s `ModelRepository`
 * takes (storage may not import lifecycle, so the shape is repeated here and checked where the
 * two meet: the app hands this to `ModelManager`, which the compiler checks).
 */
export interface StorageRepository {
  /** Positive integer version directories under `basePath` (a single model file is version 1). */
  listVersions(basePath: string): Promise<number[]>;
  /** Changes whenever a file of the version changes; call after `listVersions`. */
  fingerprint(basePath: string, version: number): Promise<string>;
  /** The local directory to load the version from: in place for local paths, else a copy. */
  download(basePath: string, version: number): Promise<string>;
  /** Deletes a downloaded copy once its version is unloaded; local paths are left alone. */
  release(localDir: string): Promise<void>;
}

export interface StorageRepositoryOptions {
  /** Resolves each base path's scheme to its backend. */
  readonly registry: StorageRegistry;
  /** Where remote versions are downloaded and single model files get their version folder. */
  readonly workDir: string;
}

/**
 * The model repository the model manager reads: versions from `listVersions`, each backend's
 * `fingerprint`, `download` through the backend (in place for local paths). A remote version
 * is downloaded into a directory of its own for every load,
 * `<workDir>/remote/<sha(basePath)>/<version>-<random>`, because a reload loads the new copy
 * before the old one is released; `release` deletes only such copies. A local `base_path`
 * naming one model file is served as version 1 (SPEC "Model repository") through a folder of
 * symlinks, because engines load a directory and the file's own directory may hold other models;
 * an OpenVINO GenAI model folder is version 1 in place (SPEC "Text generation").
 */
export function createStorageRepository(options: StorageRepositoryOptions): StorageRepository {
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
      if (await genaiModelFolder(basePath)) {
        dirs.set(versionKey(basePath, 1), basePath);
        return [1];
      }
      const found = await listVersions(registry.resolve(basePath), basePath);
      for (const dir of found) dirs.set(versionKey(basePath, dir.version), dir.uri);
      return found.map((dir) => dir.version);
    },
    fingerprint: async (basePath, version) => {
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

async function genaiModelFolder(basePath: string): Promise<boolean> {
  return parseModelUri(basePath).scheme === '' && isGenaiModelFolder(basePath);
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
