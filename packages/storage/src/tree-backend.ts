import type { DownloadProgress, Logger, StorageBackend } from '@ovms/core';
import type { RemoteTree } from './remote-tree.js';
import { downloadTree } from './tree-download.js';
import { fingerprintTree } from './tree-fingerprint.js';

/**
 * The part every object-store backend shares: a version is a RemoteTree, downloaded with
 * `downloadTree` and fingerprinted with `fingerprintTree`. Subclasses list, probe and read,
 * and say how a URI becomes a tree.
 */
export abstract class RemoteTreeBackend implements StorageBackend {
  abstract readonly schemes: readonly string[];
  abstract list(uri: string, signal?: AbortSignal): Promise<string[]>;
  abstract exists(uri: string, signal?: AbortSignal): Promise<boolean>;
  abstract readText(uri: string, signal?: AbortSignal): Promise<string>;
  /** The objects under the version `uri`. */
  protected abstract tree(uri: string): RemoteTree;
  /** Where downloads log and how many objects they fetch at once. */
  protected abstract downloads(): { readonly logger: Logger; readonly concurrency: number };

  /** Streams the version under `uri` into `localDir` (see downloadTree) and returns its path. */
  download(
    uri: string,
    localDir: string,
    options: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void } = {},
  ): Promise<string> {
    return downloadTree(this.tree(uri), localDir, {
      ...this.downloads(),
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }

  /** A signature of the objects under the version `uri` (see fingerprintTree). */
  fingerprint(uri: string, signal?: AbortSignal): Promise<string> {
    return fingerprintTree(this.tree(uri), signal);
  }
}
