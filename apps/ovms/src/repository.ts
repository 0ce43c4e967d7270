import { createHash } from 'node:crypto';
import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ModelRepository } from '@ovms/lifecycle';
import {
  StorageRegistry,
  createLocalBackend,
  detectSingleFileModel,
  fingerprint,
  joinUri,
  listVersions,
  parseModelUri,
} from '@ovms/storage';
import type { SingleFileModel } from '@ovms/storage';

/** The storage backends this server registers: local paths (and NFS mounts) only, for now. */
export function createStorageRegistry(): StorageRegistry {
  const registry = new StorageRegistry();
  registry.register(createLocalBackend());
  return registry;
}

export interface StorageRepositoryOptions {
  readonly registry: StorageRegistry;
  /** Where remote versions are downloaded and single model files get their version folder. */
  readonly workDir: string;
}

/**
 * The lifecycle's ModelRepository over the StorageRegistry: versions from `listVersions`, the
 * stat-based `fingerprint`, `download` through the backend (in place for local paths). A local
 * `base_path` naming one model file is served as version 1 (SPEC "Model repository") through a
 * folder of symlinks, because engines load a directory and the file's own directory may hold
 * other models.
 */
export function createStorageRepository(options: StorageRepositoryOptions): ModelRepository {
  const { registry, workDir } = options;
  // The last listing maps each version to its directory, since "007" also denotes version 7.
  const dirs = new Map<string, string>();
  const versionKey = (basePath: string, version: number) => `${basePath}#${version}`;
  const dirOf = (basePath: string, version: number): string =>
    dirs.get(versionKey(basePath, version)) ?? joinUri(basePath, String(version));
  const slotOf = (basePath: string) =>
    join(workDir, createHash('sha256').update(basePath).digest('hex').slice(0, 16));

  return {
    async listVersions(basePath) {
      const single = await singleFileModel(basePath);
      if (single !== undefined) {
        const versionDir = join(slotOf(basePath), '1');
        await linkSingleFile(single, versionDir);
        dirs.set(versionKey(basePath, 1), versionDir);
        return [1];
      }
      const found = await listVersions(registry.resolve(basePath), basePath);
      for (const dir of found) dirs.set(versionKey(basePath, dir.version), dir.uri);
      return found.map((dir) => dir.version);
    },
    // Local directories (and single-file links) are fingerprinted in place; the lifecycle only
    // calls this after listVersions, so dirOf knows the directory.
    fingerprint: (basePath, version) => fingerprint(dirOf(basePath, version)),
    // Local backends load in place and ignore the target folder; remote ones download into it.
    download: (basePath, version) => {
      const dir = dirOf(basePath, version);
      return registry.resolve(dir).download(dir, join(slotOf(basePath), String(version)));
    },
  };
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
