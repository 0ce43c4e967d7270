import { IntegrityError, networkCode } from '@ovms/storage';
import type { Failure, FailureKind } from '@ovms/storage';

/** A file share object whose ETag differs from the listing (Files has no conditional GET). */
export class ObjectChangedError extends Error {
  override readonly name = 'ObjectChangedError';
}

/** An object gone since it was listed (a conditional GET on it answers 412, not 404). */
export class ObjectMissingError extends Error {
  override readonly name = 'ObjectMissingError';
}

/** A connection string that cannot serve this service (missing, malformed, no endpoint). */
export class ConnectionStringError extends Error {
  override readonly name = 'ConnectionStringError';
}

interface RestErrorShape {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  details?: { errorCode?: unknown };
}

const MISSING_CONTAINER = new Set(['ContainerNotFound', 'ShareNotFound']);
const DENIED = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
  'InsufficientAccountPermissions',
  'AccountIsDisabled',
]);
const THROTTLED = new Set(['ServerBusy', 'OperationTimedOut', 'TooManyRequests']);

/**
 * Classifies an error of @azure/storage-blob or @azure/storage-file-share (RestError: HTTP
 * status and the service's error code) or of the HTTP client beneath (Node network errors,
 * which the pipeline wraps as REQUEST_SEND_ERROR with the errno in the message).
 */
export function classifyAzureError(error: unknown): Failure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as RestErrorShape;
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  if (error instanceof IntegrityError)
    return { kind: 'integrity', code: 'IntegrityCheckFailed', message };
  if (error instanceof ObjectChangedError) return { kind: 'changed', code: 'ETagChanged', message };
  if (error instanceof ObjectMissingError)
    return { kind: 'missing-object', code: 'BlobNotFound', message };
  if (error instanceof ConnectionStringError)
    return { kind: 'denied', code: 'InvalidConnectionString', message };
  const network =
    networkCode(error) ??
    (shape.code === 'REQUEST_SEND_ERROR'
      ? (/\b(E[A-Z]{3,})\b/.exec(message)?.[1] ?? 'REQUEST_SEND_ERROR')
      : undefined);
  if (network !== undefined)
    return { kind: 'unreachable', code: network, message: firstLine(message) };
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : undefined;
  const service =
    typeof shape.details?.errorCode === 'string'
      ? shape.details.errorCode
      : typeof shape.code === 'string'
        ? shape.code
        : '';
  const code =
    [status === undefined ? '' : `HTTP ${status}`, service].filter(Boolean).join(' ') || 'Error';
  const failure = (kind: FailureKind): Failure => ({ kind, code, message: firstLine(message) });
  if (MISSING_CONTAINER.has(service)) return failure('missing-container');
  if (status === 404) return failure('missing-object');
  if (status === 412 || service === 'ConditionNotMet') return failure('changed');
  if (DENIED.has(service) || status === 401 || status === 403) return failure('denied');
  if (THROTTLED.has(service) || status === 429 || status === 503) return failure('throttled');
  if (status !== undefined && status >= 500) return failure('server');
  return failure('other');
}

/** Azure error messages carry RequestId and Time lines after the first: noise in a status. */
function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
