import type { StorageBackend } from '@ovms/core';
import { parseModelUri } from './model-uri.js';
import { unsupportedSchemeError } from './storage-errors.js';

/**
 * Storage backends by URI scheme, registered explicitly by the app (OVMS's filesystem factory
 * by URL prefix). A backend serving several schemes (`az` and `azfs`) is registered once.
 */
export class StorageRegistry {
  readonly #backends = new Map<string, StorageBackend>();

  register(backend: StorageBackend): void {
    for (const scheme of backend.schemes) {
      const key = scheme.toLowerCase();
      if (this.#backends.has(key))
        throw new Error(`a storage backend for scheme ${showScheme(key)} is already registered`);
      this.#backends.set(key, backend);
    }
  }

  /** The backend for `uri`'s scheme; PATH_SCHEME_UNSUPPORTED naming the scheme and the registered ones. */
  resolve(uri: string): StorageBackend {
    const { scheme } = parseModelUri(uri);
    const backend = this.#backends.get(scheme);
    if (backend) return backend;
    const registered = this.schemes().map(showScheme).join(', ') || 'none';
    throw unsupportedSchemeError(
      `no storage backend for scheme ${showScheme(scheme)} (in ${uri}); registered: ${registered}`,
    );
  }

  schemes(): string[] {
    return [...this.#backends.keys()].sort();
  }
}

function showScheme(scheme: string): string {
  return scheme === '' ? 'local paths' : `"${scheme}://"`;
}
