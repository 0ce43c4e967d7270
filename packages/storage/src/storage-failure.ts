import { ServingError, StatusCode } from '@ovms/core';

/** What went wrong with a storage request, in the terms the backend reacts to. */
export type FailureKind =
  | 'missing-container'
  | 'missing-object'
  | 'denied'
  | 'changed'
  | 'throttled'
  | 'unreachable'
  | 'server'
  | 'integrity'
  | 'other';

export interface Failure {
  readonly kind: FailureKind;
  /** The HTTP status, the service's error code or the network error code. */
  readonly code: string;
  readonly message: string;
}

/** A downloaded object whose bytes do not match its listing (size) or its checksum. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
}

/** Whether trying again may succeed: transient network, throttling, server and transfer faults. */
export function isRetryable(failure: Failure): boolean {
  switch (failure.kind) {
    case 'throttled':
    case 'unreachable':
    case 'server':
    case 'integrity':
      return true;
    case 'missing-container':
    case 'missing-object':
    case 'denied':
    case 'changed':
    case 'other':
      return false;
  }
}

export interface FailureContext {
  /** The location of the request (`gs://bucket/key`). */
  readonly uri: string;
  /** The bucket or container as a URI, for "does not exist" messages. */
  readonly container: string;
  readonly attempts: number;
  /** For messages: the endpoint that was (not) reached. */
  readonly endpoint: string;
  /** Which settings to check when access is denied. */
  readonly credentialsHint: string;
  /** Worded for a download: a missing object was there when the version was listed. */
  readonly downloading?: boolean | undefined;
  /** Names the store in messages ("S3"); "storage" when absent. */
  readonly service?: string | undefined;
}

/**
 * The ServingError for a failed request, naming the location and the cause. Locations that do
 * not exist or cannot be read with these credentials are PATH_INVALID (as a bad local path is);
 * transient faults that outlived the retries, and corrupted transfers, are INTERNAL_ERROR.
 */
export function failureError(
  error: unknown,
  failure: Failure,
  context: FailureContext,
): ServingError {
  const { uri, attempts } = context;
  const cause =
    failure.message !== '' && failure.message !== failure.code
      ? `${failure.code} (${failure.message})`
      : failure.code;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const service = context.service ?? 'storage';
  const path = (detail: string): ServingError =>
    new ServingError(StatusCode.PATH_INVALID, detail, { cause: error });
  const internal = (detail: string): ServingError =>
    new ServingError(StatusCode.INTERNAL_ERROR, detail, { cause: error });
  switch (failure.kind) {
    case 'missing-container':
      return path(`${context.container} does not exist (for ${uri}): ${cause}`);
    case 'missing-object':
      return path(
        context.downloading
          ? `object was deleted during download: ${uri}: ${cause}`
          : `path does not exist: ${uri}: ${cause}`,
      );
    case 'denied':
      return path(`access denied to ${uri}: ${cause}; check ${context.credentialsHint}`);
    case 'changed':
      return internal(`object changed during download: ${uri}: ${cause}`);
    case 'throttled':
      return internal(`${service} is throttling requests for ${uri}${tries}: ${cause}`);
    case 'unreachable':
      return internal(`cannot reach ${context.endpoint} for ${uri}${tries}: ${cause}`);
    case 'server':
      return internal(`${service} server error for ${uri}${tries}: ${cause}`);
    case 'integrity':
      return internal(`integrity check failed for ${uri}${tries}: ${failure.message}`);
    case 'other':
      return internal(`${service} request for ${uri} failed: ${cause}`);
  }
}

/** Codes of network faults worth retrying (Node's errno names and fetch/undici causes). */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
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
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The network error code of `error` or of an error it wraps (cause, AggregateError). */
export function networkCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const shape = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return shape.code;
  const inner = Array.isArray(shape.errors) ? (shape.errors as unknown[])[0] : undefined;
  return networkCode(shape.cause, depth + 1) ?? networkCode(inner, depth + 1);
}
