import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import { DEFAULT_RETRY, RemoteTreeBackend } from '@ovms/storage';
import type { RemoteTree } from '@ovms/storage';
import { classifyS3Error } from './s3-errors.js';
import { request } from './s3-context.js';
import type { S3Context } from './s3-context.js';
import { DEFAULT_REGION } from './s3-options.js';
import type { S3BackendOptions } from './s3-options.js';
import { S3Tree } from './s3-tree.js';
import { dirPrefix, parseS3Uri } from './s3-uri.js';

/**
 * `s3://bucket/path` model repositories on AWS S3 and S3-compatible stores (MinIO), the
 * counterpart of OVMS's S3FileSystem: "directories" are key prefixes. Requests retry transient
 * faults with backoff (the SDK's own retries are off, so the bound is ours); failures are
 * ServingErrors naming the bucket and key.
 */
export class S3StorageBackend extends RemoteTreeBackend {
  readonly schemes = ['s3'] as const;
  /** The SDK client, for callers that need a request the contract does not cover. */
  readonly client: S3Client;
  readonly #context: S3Context;

  constructor(options: S3BackendOptions = {}) {
    super();
    const { accessKeyId, secretAccessKey, sessionToken } = options;
    this.client = new S3Client({
      region: options.region ?? DEFAULT_REGION,
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(accessKeyId !== undefined &&
        secretAccessKey !== undefined && {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken !== undefined && { sessionToken }),
          },
        }),
      maxAttempts: 1,
      // Integrity is checked against size and ETag, which every S3-compatible store serves;
      // flexible checksums are not (and are never asked for where the SDK does not require them).
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 5_000,
        requestTimeout: options.idleTimeoutMs ?? 60_000,
      },
    });
    this.#context = {
      client: this.client,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      logger: (options.logger ?? silentLogger).child({ storage: 's3' }),
      endpoint: options.endpoint ?? `https://s3.${options.region ?? DEFAULT_REGION}.amazonaws.com`,
      concurrency: Math.max(1, options.concurrency ?? 4),
    };
  }

  /** Names directly under `uri`: common prefixes (without `/`) and objects, across all pages. */
  async list(uri: string, signal?: AbortSignal): Promise<string[]> {
    const { bucket, key } = parseS3Uri(uri);
    const prefix = dirPrefix(key);
    const names = new Set<string>();
    let anything = false;
    let token: string | undefined;
    do {
      const page = await request(this.#context, { uri, bucket, signal }, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: '/',
            ...(token !== undefined && { ContinuationToken: token }),
          }),
          signal ? { abortSignal: signal } : {},
        ),
      );
      for (const common of page.CommonPrefixes ?? []) {
        const name = (common.Prefix ?? '').slice(prefix.length).replace(/\/$/, '');
        anything = true;
        if (name !== '') names.add(name);
      }
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(prefix.length);
        anything = true;
        // The directory's own marker object ("prefix/") is not an entry of it.
        if (name !== '') names.add(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    if (!anything && key !== '')
      throw new ServingError(StatusCode.PATH_INVALID, `path does not exist: ${uri}`);
    return [...names].sort();
  }

  /**
   * Whether an object or a non-empty "directory" is at `uri`; with a trailing `/` only a
   * directory counts (listVersions relies on that). A missing bucket is `false`, as a missing
   * local parent directory is; other failures throw.
   */
  async exists(uri: string, signal?: AbortSignal): Promise<boolean> {
    const { bucket, key } = parseS3Uri(uri);
    const scope = { uri, bucket, signal };
    const options = signal ? { abortSignal: signal } : {};
    try {
      if (key === '') {
        await request(this.#context, scope, () =>
          this.client.send(new HeadBucketCommand({ Bucket: bucket }), options),
        );
        return true;
      }
      if (!uri.endsWith('/')) {
        try {
          await request(this.#context, scope, () =>
            this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), options),
          );
          return true;
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
      const page = await request(this.#context, scope, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: dirPrefix(key), MaxKeys: 1 }),
          options,
        ),
      );
      return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** The object at `uri` as UTF-8 (config files: small, so read whole). */
  async readText(uri: string, signal?: AbortSignal): Promise<string> {
    const { bucket, key } = parseS3Uri(uri);
    if (key === '') throw new ServingError(StatusCode.PATH_INVALID, `not an object: ${uri}`);
    return request(this.#context, { uri, bucket, signal }, async () => {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key }),
        signal ? { abortSignal: signal } : {},
      );
      if (response.Body === undefined) return '';
      return response.Body.transformToString('utf8');
    });
  }

  // An object rewritten with other bytes gets another ETag: the fingerprint changes with it.
  protected tree(uri: string): RemoteTree {
    return new S3Tree(this.#context, parseS3Uri(uri));
  }

  protected downloads() {
    return this.#context;
  }

  /** Closes the client's sockets; the backend is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }
}

/** A ServingError from a missing bucket or object (PATH_INVALID with a not-found cause). */
function isMissing(error: unknown): boolean {
  if (!(error instanceof ServingError) || error.code !== StatusCode.PATH_INVALID) return false;
  const kind = classifyS3Error(error.cause).kind;
  return kind === 'missing-container' || kind === 'missing-object';
}

/** Creates the `s3://` backend; register it in the app's StorageRegistry. */
export function createS3Backend(options: S3BackendOptions = {}): S3StorageBackend {
  return new S3StorageBackend(options);
}
