import { silentLogger } from '@ovms/core';
import { RemoteTreeBackend } from '@ovms/storage';
import type { RemoteTree } from '@ovms/storage';
import { AzureContext } from './azure-context.js';
import type { AzureBackendOptions } from './azure-options.js';
import type { AzureStore } from './azure-store.js';
import { parseAzureUri } from './azure-uri.js';
import type { AzureLocation } from './azure-uri.js';
import { BlobStore } from './blob-store.js';
import { ShareStore } from './share-store.js';

/**
 * `az://container/path` (Blob storage) and `azfs://share/path` (Azure Files) model
 * repositories, one backend for both schemes as OVMS's AzureFileSystem is. Requests retry
 * transient faults with backoff (the SDKs' own retries are off, so the bound is ours);
 * failures are ServingErrors naming the container or share and the path.
 */
export class AzureStorageBackend extends RemoteTreeBackend {
  readonly schemes = ['az', 'azfs'] as const;
  readonly #context: AzureContext;
  readonly #blob: BlobStore;
  readonly #share: ShareStore;

  constructor(options: AzureBackendOptions = {}) {
    super();
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

  // Every write changes an object's ETag: the fingerprint changes with a rewritten object.
  protected tree(uri: string): RemoteTree {
    const location = parseAzureUri(uri);
    return this.#store(location).tree(location);
  }

  protected downloads() {
    return this.#context;
  }

  #store(location: AzureLocation): AzureStore {
    return location.service === 'blob' ? this.#blob : this.#share;
  }
}

/** Creates the `az://` + `azfs://` backend; register it once in the app's StorageRegistry. */
export function createAzureBackend(options: AzureBackendOptions = {}): AzureStorageBackend {
  return new AzureStorageBackend(options);
}
