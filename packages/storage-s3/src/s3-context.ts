import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@ovms/core';
import { withRetry } from '@ovms/storage';
import type { FailureContext, RetryOptions } from '@ovms/storage';
import { classifyS3Error } from './s3-errors.js';

/** What every request of the backend shares: the client, its retries and its logger. */
export interface S3Context {
  readonly client: S3Client;
  readonly retry: Required<RetryOptions>;
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

/** How failures of a request in `scope` are worded (see failureError). */
export function failureContext(
  endpoint: string,
  scope: RequestScope,
): Omit<FailureContext, 'attempts'> {
  return {
    uri: scope.uri,
    container: `bucket s3://${scope.bucket}`,
    endpoint: `the S3 endpoint ${endpoint}`,
    credentialsHint:
      'the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and the bucket policy',
    downloading: scope.downloading,
    service: 'S3',
  };
}

/** One S3 request under the backend's retry policy, with failures named after `scope.uri`. */
export function request<T>(
  context: S3Context,
  scope: RequestScope,
  operation: (attempt: number) => Promise<T>,
): Promise<T> {
  return withRetry(operation, {
    ...failureContext(context.endpoint, scope),
    retry: context.retry,
    logger: context.logger,
    signal: scope.signal,
    classify: classifyS3Error,
  });
}

export function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
