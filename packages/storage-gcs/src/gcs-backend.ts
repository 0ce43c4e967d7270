import { Storage } from '@google-cloud/storage';
import type { StorageOptions } from '@google-cloud/storage';
import { ServingError, StatusCode, isServingError, silentLogger } from '@ovms/core';
import { DEFAULT_RETRY, RemoteTreeBackend } from '@ovms/storage';
import type { RemoteTree } from '@ovms/storage';
import { classifyGcsError } from './gcs-errors.js';
import { listPage, request } from './gcs-context.js';
import { GcsTree } from './gcs-tree.js';
import type { GcsContext } from './gcs-context.js';
import type { GcsBackendOptions } from './gcs-options.js';
import { dirPrefix, parseGcsUri } from './gcs-uri.js';

/**
 * `gs://bucket/path` model repositories on Google Cloud Storage and its emulators, the
 * counterpart of OVMS's GCSFileSystem: "directories" are name prefixes. Requests retry
 * transient faults with backoff (the SDK's own retries are off, so the bound is ours);
 * failures are ServingErrors naming the bucket and object.
 */
export class GcsStorageBackend extends RemoteTreeBackend {
  readonly schemes = ['gs'] as const;
  /** The SDK client, for callers that need a request the contract does not cover. */
  readonly storage: Storage;
  readonly #context: GcsContext;

  constructor(options: GcsBackendOptions = {}) {
    super();
    const custom = options.apiEndpoint !== undefined;
    const settings: StorageOptions = {
      ...(options.projectId !== undefined && { projectId: options.projectId }),
      ...(options.keyFilename !== undefined && { keyFilename: options.keyFilename }),
      ...(custom && { apiEndpoint: options.apiEndpoint }),
      // The SDK sends no credentials to a custom endpoint unless told to.
      ...(custom && { useAuthWithCustomEndpoint: options.anonymous !== true }),
      retryOptions: { autoRetry: false, maxRetries: 0 },
      timeout: options.timeoutMs ?? 60_000,
    };
    this.storage = new Storage(settings);
    // The SDK also reads STORAGE_EMULATOR_HOST from the process and, when set, uses it verbatim
    // as the JSON API base (no /storage/v1, no scheme added): our endpoint decides instead.
    if (options.apiEndpoint !== undefined)
      this.storage.baseUrl = `${options.apiEndpoint.replace(/\/+$/, '')}/storage/v1`;
    this.#context = {
      storage: this.storage,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      logger: (options.logger ?? silentLogger).child({ storage: 'gcs' }),
      endpoint: options.apiEndpoint ?? 'the Google Cloud Storage endpoint',
      concurrency: Math.max(1, options.concurrency ?? 4),
      pageSize: Math.max(1, options.pageSize ?? 1000),
    };
  }

  /** Names directly under `uri`: "directories" (without `/`) and objects, across all pages. */
  async list(uri: string, signal?: AbortSignal): Promise<string[]> {
    const location = parseGcsUri(uri);
    const prefix = dirPrefix(location.key);
    const names = new Set<string>();
    let anything = false;
    let pageToken: string | undefined;
    do {
      const query = { prefix, delimiter: '/', pageToken };
      const page = await listPage(this.#context, location, query, signal);
      for (const sub of page.prefixes) {
        anything = true;
        const name = sub.slice(prefix.length).replace(/\/$/, '');
        if (name !== '') names.add(name);
      }
      for (const object of page.files) {
        anything = true;
        // The directory's own marker object ("prefix/") is not an entry of it.
        const name = object.name.slice(prefix.length);
        if (name !== '') names.add(name);
      }
      pageToken = page.pageToken;
    } while (pageToken !== undefined);
    if (!anything && location.key !== '')
      throw new ServingError(StatusCode.PATH_INVALID, `path does not exist: ${uri}`);
    return [...names].sort();
  }

  /**
   * Whether an object or a non-empty "directory" is at `uri`; with a trailing `/` only a
   * directory counts (listVersions relies on that). A missing bucket is `false`, as a missing
   * local parent directory is; other failures throw.
   */
  async exists(uri: string, signal?: AbortSignal): Promise<boolean> {
    const location = parseGcsUri(uri);
    const bucket = this.storage.bucket(location.bucket);
    const scope = { uri, bucket: location.bucket, signal };
    try {
      if (location.key === '') {
        const [found] = await request(this.#context, scope, () => bucket.exists());
        return found;
      }
      if (!uri.endsWith('/')) {
        const [found] = await request(this.#context, scope, () =>
          bucket.file(location.key).exists(),
        );
        if (found) return true;
      }
      const query = { prefix: dirPrefix(location.key), maxResults: 1 };
      const page = await listPage(this.#context, location, query, signal);
      return page.files.length > 0;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** The object at `uri` as UTF-8 (config files: small, so read whole). */
  async readText(uri: string, signal?: AbortSignal): Promise<string> {
    const { bucket, key } = parseGcsUri(uri);
    if (key === '' || key.endsWith('/'))
      throw new ServingError(StatusCode.PATH_INVALID, `not an object: ${uri}`);
    const [bytes] = await request(this.#context, { uri, bucket, signal }, () =>
      this.storage.bucket(bucket).file(key).download(),
    );
    return bytes.toString('utf8');
  }

  // Every write makes a new generation: the fingerprint changes with a rewritten object.
  protected tree(uri: string): RemoteTree {
    return new GcsTree(this.#context, parseGcsUri(uri));
  }

  protected downloads() {
    return this.#context;
  }
}

/** A ServingError from a missing bucket or object (PATH_INVALID with a not-found cause). */
function isMissing(error: unknown): boolean {
  if (!isServingError(error) || error.code !== StatusCode.PATH_INVALID) return false;
  const kind = classifyGcsError(error.cause).kind;
  return kind === 'missing-container' || kind === 'missing-object';
}

/** Creates the `gs://` backend; register it in the app's StorageRegistry. */
export function createGcsBackend(options: GcsBackendOptions = {}): GcsStorageBackend {
  return new GcsStorageBackend(options);
}
