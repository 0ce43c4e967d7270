import { readFile, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DownloadProgress, StorageBackend } from '@ovms/core';
import { fingerprint } from './fingerprint.js';
import { describeFsError, storagePathError } from './storage-errors.js';

/**
 * The local and NFS model repository: plain paths, used in place. `download` copies nothing
 * and returns the absolute path, so engines load straight from the repository (OVMS's
 * LocalFileSystem does the same). Every failure names the path.
 */
export class LocalStorageBackend implements StorageBackend {
  readonly schemes = [''] as const;

  async list(uri: string, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    try {
      return (await readdir(uri)).sort();
    } catch (error) {
      throw storagePathError(describeFsError(uri, error), error);
    }
  }

  async exists(uri: string, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    try {
      await stat(uri);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw storagePathError(describeFsError(uri, error), error);
    }
  }

  async readText(uri: string, signal?: AbortSignal): Promise<string> {
    try {
      return await readFile(uri, { encoding: 'utf8', ...(signal && { signal }) });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw storagePathError(describeFsError(uri, error), error);
    }
  }

  /** The stat-based signature of a local version directory (see `fingerprint`). */
  async fingerprint(uri: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    return fingerprint(uri);
  }

  async download(
    uri: string,
    _localDir: string,
    options?: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void },
  ): Promise<string> {
    options?.signal?.throwIfAborted();
    try {
      await stat(uri);
    } catch (error) {
      throw storagePathError(describeFsError(uri, error), error);
    }
    return resolve(uri);
  }
}

/** Creates the local/NFS backend (scheme "" — paths without `scheme://`). */
export function createLocalBackend(): LocalStorageBackend {
  return new LocalStorageBackend();
}
