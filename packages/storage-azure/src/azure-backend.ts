import { createHash } from 'node:crypto';
import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import type { DownloadProgress, StorageBackend } from '@ovms/core';
import { AzureContext } from './azure-context.js';
import type { AzureBackendOptions } from './azure-options.js';
import type { AzureStore } from './azure-store.js';
import { parseAzureUri } from './azure-uri.js';
import type { AzureLocation } from './azure-uri.js';
import { BlobStore } from './blob-store.js';
import { ShareStore } from './share-store.js';
import { downloadTree, treeSignature } from './tree-download.js';

/**
 * `az://container/path` (Blob storage) and `azfs://share/path` (Azure Files) model
 * repositories, one backend for both schemes as OVMS's AzureFileSystem is. Requests retry
 * transient faults with backoff (the SDKs' own retries are off, so the bound is ours);
 * failures are ServingErrors naming the container or share and the path.
 */
export class AzureStorageBackend implements StorageBackend {
  readonly schemes = ['az', 'azfs'] as const;
  readonly #context: AzureContext;
  readonly #blob: BlobStore;
  readonly #share: ShareStore;

  constructor(options: AzureBackendOptions = {}) {
    this.#context = new AzureContext(
      options,
      (options.logger ?? silentLogger).child({ storage: 'azure' }),
    );
    this.#blob = new BlobStore(this.#context);
    this.#share = new ShareStore(this.#context);
  }

  /** Names directly under `uri`: "directories" (without `/`) and objects, across all pages. */
  list(uri: string, signal?: AbortSignal): Promise<string[]> {
    const location = parseAzureUri(uri);
    return this.#store(location).list(location, signal);
  }

  /**
   * Whether an object or a non-empty "directory" is at `uri`; with a trailing `/` only a
   * directory counts (listVersions relies on that). A missing container is `false`.
   */
  exists(uri: string, signal?: AbortSignal): Promise<boolean> {
    const location = parseAzureUri(uri);
    return this.#store(location).exists(location, signal);
  }

  /** The blob or file at `uri` as UTF-8 (config files: small, so read whole). */
  readText(uri: string, signal?: AbortSignal): Promise<string> {
    const location = parseAzureUri(uri);
    return this.#store(location).readText(location, signal);
  }

  /** Streams the version under `uri` into `localDir` (see downloadTree) and returns its path. */
  download(
    uri: string,
    localDir: string,
    options: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void } = {},
  ): Promise<string> {
    const location = parseAzureUri(uri);
    return downloadTree(this.#store(location).tree(location), localDir, {
      logger: this.#context.logger,
      concurrency: this.#context.concurrency,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }

  /**
   * A signature of the objects under the version `uri`: sha256 over each relative name, size
   * and ETag, in name order. It changes when an object is added, removed or rewritten (every
   * write changes the ETag), which is what the lifecycle polls to reload a version; no object
   * is read.
   */
  async fingerprint(uri: string, signal?: AbortSignal): Promise<string> {
    const location = parseAzureUri(uri);
    const files = await this.#store(location).tree(location).listFiles(signal);
    if (files.length === 0)
      throw new ServingError(StatusCode.PATH_INVALID, `path does not exist: ${uri} has no objects`);
    const hash = createHash('sha256');
    treeSignature(files, hash);
    return hash.digest('hex');
  }

  #store(location: AzureLocation): AzureStore {
    return location.service === 'blob' ? this.#blob : this.#share;
  }
}

/** Creates the `az://` + `azfs://` backend; register it once in the app's StorageRegistry. */
export function createAzureBackend(options: AzureBackendOptions = {}): AzureStorageBackend {
  return new AzureStorageBackend(options);
}

/** The fingerprint of the version `uri`, for the app's repository adapter. */
export function azureFingerprint(
  backend: AzureStorageBackend,
  uri: string,
  signal?: AbortSignal,
): Promise<string> {
  return backend.fingerprint(uri, signal);
}
