import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@ovms/core';
import { withRetry } from './retry.js';
import type { S3RetryOptions } from './s3-options.js';
import { dirPrefix, formatS3Uri } from './s3-uri.js';
import type { S3Location } from './s3-uri.js';

/** What every request of the backend shares: the client, its retries and its logger. */
export interface S3Context {
  readonly client: S3Client;
  readonly retry: Required<S3RetryOptions>;
  readonly logger: Logger;
  /** For messages: the endpoint that was (not) reached. */
  readonly endpoint: string;
  readonly concurrency: number;
}

export interface RequestScope {
  readonly uri: string;
  readonly bucket: string;
  readonly signal?: AbortSignal | undefined;
  readonly downloading?: boolean;
}

/** One S3 request under the backend's retry policy, with failures named after `scope.uri`. */
export function request<T>(
  context: S3Context,
  scope: RequestScope,
  operation: (attempt: number) => Promise<T>,
): Promise<T> {
  return withRetry(operation, {
    uri: scope.uri,
    bucket: scope.bucket,
    endpoint: context.endpoint,
    retry: context.retry,
    logger: context.logger,
    signal: scope.signal,
    ...(scope.downloading !== undefined && { downloading: scope.downloading }),
  });
}

/** An object under a prefix, as listed: the key, its size and its ETag (quotes removed). */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/**
 * Every object under the "directory" `location.key`, recursively, across all pages, sorted by
 * key. Directory markers (keys ending in `/`) are included with size 0.
 */
export async function listObjectsUnder(
  context: S3Context,
  location: S3Location,
  signal?: AbortSignal,
): Promise<ListedObject[]> {
  const prefix = dirPrefix(location.key);
  const uri = formatS3Uri(location.bucket, location.key);
  const found: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await request(context, { uri, bucket: location.bucket, signal }, () =>
      context.client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: prefix,
          ...(token !== undefined && { ContinuationToken: token }),
        }),
        signal ? { abortSignal: signal } : {},
      ),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      found.push({ key: object.Key, size: object.Size ?? 0, etag: unquote(object.ETag ?? '') });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
