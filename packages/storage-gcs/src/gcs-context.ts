import type { File, Storage } from '@google-cloud/storage';
import type { Logger } from '@ovms/core';
import { classifyGcsError } from './gcs-errors.js';
import { formatGcsUri } from './gcs-uri.js';
import type { GcsLocation } from './gcs-uri.js';
import { abortable, withRetry } from '@ovms/storage';
import type { Failure, RetryOptions } from '@ovms/storage';

/** What every request of the backend shares: the client, its retries and its logger. */
export interface GcsContext {
  readonly storage: Storage;
  readonly retry: Required<RetryOptions>;
  readonly logger: Logger;
  /** For messages: the endpoint that was (not) reached. */
  readonly endpoint: string;
  readonly concurrency: number;
  readonly pageSize: number;
}

export interface RequestScope {
  readonly uri: string;
  readonly bucket: string;
  readonly signal?: AbortSignal | undefined;
  readonly downloading?: boolean;
  /** A listing: it never answers 404 for a prefix, so a 404 means the bucket is missing. */
  readonly listing?: boolean;
}

/** One GCS request under the backend's retry policy, with failures named after `uri`. */
export function request<T>(
  context: GcsContext,
  scope: RequestScope,
  operation: () => Promise<T>,
): Promise<T> {
  const classify = (error: unknown): Failure => {
    const failure = classifyGcsError(error);
    return scope.listing && failure.kind === 'missing-object'
      ? { ...failure, kind: 'missing-container' }
      : failure;
  };
  return withRetry(() => abortable(operation(), scope.signal), {
    uri: scope.uri,
    container: `bucket gs://${scope.bucket}`,
    endpoint: context.endpoint,
    credentialsHint: 'GOOGLE_APPLICATION_CREDENTIALS and the bucket permissions',
    retry: context.retry,
    logger: context.logger,
    signal: scope.signal,
    downloading: scope.downloading,
    classify,
  });
}

/** One page of a listing: objects and (with a delimiter) the "directories" below. */
export interface GcsPage {
  readonly files: File[];
  readonly prefixes: string[];
  readonly pageToken: string | undefined;
}

/** Lists one page under `prefix`; with `delimiter` the deeper names come back as prefixes. */
export async function listPage(
  context: GcsContext,
  location: GcsLocation,
  query: {
    prefix: string;
    delimiter?: string;
    pageToken?: string | undefined;
    maxResults?: number;
  },
  signal: AbortSignal | undefined,
): Promise<GcsPage> {
  const uri = formatGcsUri(location.bucket, location.key);
  const [files, next, response] = await request(
    context,
    { uri, bucket: location.bucket, signal, listing: true },
    () =>
      context.storage.bucket(location.bucket).getFiles({
        prefix: query.prefix,
        autoPaginate: false,
        maxResults: query.maxResults ?? context.pageSize,
        ...(query.delimiter !== undefined && { delimiter: query.delimiter }),
        ...(query.pageToken !== undefined && { pageToken: query.pageToken }),
      }),
  );
  const prefixes = (response as { prefixes?: unknown } | undefined)?.prefixes;
  const token = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
  return {
    files,
    prefixes: Array.isArray(prefixes)
      ? prefixes.filter((p): p is string => typeof p === 'string')
      : [],
    pageToken: typeof token === 'string' && token !== '' ? token : undefined,
  };
}
