import { ServingError, StatusCode } from '@ovms/core';

/** What went wrong with an S3 request, in the terms the backend reacts to. */
export type S3FailureKind =
  | 'missing-bucket'
  | 'missing-object'
  | 'denied'
  | 'changed'
  | 'throttled'
  | 'unreachable'
  | 'server'
  | 'integrity'
  | 'other';

export interface S3Failure {
  readonly kind: S3FailureKind;
  /** The service's error code (`NoSuchKey`, `SlowDown`) or the network error code. */
  readonly code: string;
  readonly message: string;
}

/** A downloaded object whose bytes do not match its listing (size) or its ETag (MD5). */
export class S3IntegrityError extends Error {
  override readonly name = 'S3IntegrityError';
}

const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'CredentialsProviderError',
]);
const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
  'TooManyRequestsException',
  'ServiceUnavailable',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown;
}

/** Classifies an SDK, network or stream error; AggregateErrors (dual-stack connects) by their first. */
export function classifyS3Error(error: unknown): S3Failure {
  if (error instanceof S3IntegrityError)
    return { kind: 'integrity', code: 'IntegrityCheckFailed', message: error.message };
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const errno = typeof shape.code === 'string' ? shape.code : '';
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const inner = Array.isArray(shape.errors) ? (shape.errors as unknown[])[0] : undefined;
  if (errno === '' && inner !== undefined && status === undefined) {
    const first = classifyS3Error(inner);
    if (first.kind === 'unreachable') return first;
  }
  const code = (status === undefined && errno) || name || errno || 'Error';
  const failure = (kind: S3FailureKind): S3Failure => ({ kind, code, message });

  if (NETWORK.has(errno) || NETWORK.has(name)) return failure('unreachable');
  if (name === 'NoSuchBucket') return failure('missing-bucket');
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404)
    return failure('missing-object');
  if (name === 'PreconditionFailed' || status === 412) return failure('changed');
  if (DENIED.has(name) || status === 403 || status === 401) return failure('denied');
  if (THROTTLED.has(name) || status === 503 || status === 429) return failure('throttled');
  if (status !== undefined && status >= 500) return failure('server');
  return failure('other');
}

/** Whether trying again may succeed: transient network, throttling, server and transfer faults. */
export function isRetryable(failure: S3Failure): boolean {
  switch (failure.kind) {
    case 'throttled':
    case 'unreachable':
    case 'server':
    case 'integrity':
      return true;
    case 'missing-bucket':
    case 'missing-object':
    case 'denied':
    case 'changed':
    case 'other':
      return false;
  }
}

export interface S3ErrorContext {
  /** The `s3://` location of the request. */
  readonly uri: string;
  readonly bucket: string;
  readonly attempts: number;
  readonly endpoint: string;
  /** Worded for a download: a missing object was there when the version was listed. */
  readonly downloading?: boolean;
}

/**
 * The ServingError for a failed S3 request, naming the location and the cause. Locations that
 * do not exist or cannot be read with these credentials are PATH_INVALID (as a bad local path
 * is); transient faults that outlived the retries are INTERNAL_ERROR.
 */
export function s3ServingError(error: unknown, context: S3ErrorContext): ServingError {
  const failure = classifyS3Error(error);
  const { uri, attempts } = context;
  const cause = `${failure.code}${failure.message && failure.message !== failure.code ? ` (${failure.message})` : ''}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const path = (detail: string) =>
    new ServingError(StatusCode.PATH_INVALID, detail, { cause: error });
  const internal = (detail: string) =>
    new ServingError(StatusCode.INTERNAL_ERROR, detail, { cause: error });
  switch (failure.kind) {
    case 'missing-bucket':
      return path(`bucket does not exist: s3://${context.bucket} (for ${uri}): ${cause}`);
    case 'missing-object':
      return path(
        context.downloading
          ? `object was deleted during download: ${uri}: ${cause}`
          : `object does not exist: ${uri}: ${cause}`,
      );
    case 'denied':
      return path(
        `access denied to ${uri}: ${cause}; check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and the bucket policy`,
      );
    case 'changed':
      return internal(`object changed during download: ${uri}: ${cause}`);
    case 'throttled':
      return internal(`S3 throttled the requests for ${uri}${tries}: ${cause}`);
    case 'unreachable':
      return internal(
        `cannot reach the S3 endpoint ${context.endpoint} for ${uri}${tries}: ${cause}`,
      );
    case 'server':
      return internal(`S3 server error for ${uri}${tries}: ${cause}`);
    case 'integrity':
      return internal(`integrity check failed for ${uri}${tries}: ${failure.message}`);
    case 'other':
      return internal(`S3 request for ${uri} failed: ${cause}`);
  }
}
