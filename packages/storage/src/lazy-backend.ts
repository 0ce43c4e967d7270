import type { DownloadProgress, StorageBackend } from '@ovms/core';
import { ServingError, StatusCode } from '@ovms/core';
import { unsupportedSchemeError } from './storage-errors.js';

const show = (scheme: string) => `"${scheme}://"`;

/**
 * A backend that loads the real one on first use. The cloud SDKs are large (the S3, GCS and
 * Azure clients together hold ~22 MB of V8 heap once imported) and every full garbage
 * collection marks that heap again, so a server whose models live on local disks should not
 * carry them. The schemes are known up front so the registry can route URIs without loading.
 * A failed load is reported to the caller and tried again on the next call (a module can be
 * installed while the server runs; an error should not stick).
 */
export function createLazyBackend(
  schemes: readonly string[],
  load: () => Promise<StorageBackend>,
): StorageBackend {
  let loading: Promise<StorageBackend> | undefined;
  const backend = (): Promise<StorageBackend> => {
    loading ??= load()
      .then((loaded) => {
        const missing = schemes.filter((scheme) => !loaded.schemes.includes(scheme));
        if (missing.length > 0)
          throw new Error(`it does not serve ${missing.map(show).join(', ')}`);
        return loaded;
      })
      .catch((error: unknown) => {
        loading = undefined;
        throw unsupportedSchemeError(
          `the storage backend for ${schemes.map(show).join(', ')} cannot be loaded: ` +
            (error instanceof Error ? error.message : String(error)),
        );
      });
    return loading;
  };
  return {
    schemes: [...schemes],
    list: async (uri, signal) => (await backend()).list(uri, signal),
    exists: async (uri, signal) => (await backend()).exists(uri, signal),
    readText: async (uri, signal) => (await backend()).readText(uri, signal),
    fingerprint: async (uri, signal) => {
      const loaded = await backend();
      if (loaded.fingerprint === undefined)
        throw new ServingError(StatusCode.INTERNAL_ERROR, `cannot fingerprint ${uri}`);
      return loaded.fingerprint(uri, signal);
    },
    download: async (
      uri: string,
      localDir: string,
      options?: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void },
    ) => (await backend()).download(uri, localDir, options),
  };
}
