import { IntegrityError, networkCode } from '@ovms/storage';
import type { Failure, FailureKind } from '@ovms/storage';

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
/** The SDK's names for a request that timed out: as transient as a refused connection. */
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Classifies an error of @aws-sdk/client-s3 (the service's error name and HTTP status), of its
 * HTTP handler (Node network errors, AggregateErrors of dual-stack connects) or of the download
 * (IntegrityError).
 */
export function classifyS3Error(error: unknown): Failure {
  if (error instanceof IntegrityError)
    return { kind: 'integrity', code: 'IntegrityCheckFailed', message: error.message };
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const errno = typeof shape.code === 'string' ? shape.code : '';
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const network = status === undefined ? networkCode(error) : undefined;
  if (network !== undefined) return { kind: 'unreachable', code: network, message };
  const code = (status === undefined && errno) || name || errno || 'Error';
  const failure = (kind: FailureKind): Failure => ({ kind, code, message });

  if (TIMEOUTS.has(errno) || TIMEOUTS.has(name)) return failure('unreachable');
  if (name === 'NoSuchBucket') return failure('missing-container');
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404)
    return failure('missing-object');
  if (name === 'PreconditionFailed' || status === 412) return failure('changed');
  if (DENIED.has(name) || status === 403 || status === 401) return failure('denied');
  if (THROTTLED.has(name) || status === 503 || status === 429) return failure('throttled');
  if (status !== undefined && status >= 500) return failure('server');
  return failure('other');
}
