import { IntegrityError, networkCode } from '@ovms/storage';
import type { Failure, FailureKind } from '@ovms/storage';

interface GcsErrorShape {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** What the auth library throws when a key file is missing, malformed or refused. */
const CREDENTIAL_ERROR =
  /credential|private key|invalid_grant|invalid_client|unauthorized_client|no key or keyFile|PEM|DECODER routines/i;

/**
 * Classifies an error of @google-cloud/storage (ApiError: `code` is the HTTP status), of its
 * HTTP client (Node network errors, possibly wrapped) or of google-auth-library.
 */
export function classifyGcsError(error: unknown): Failure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as GcsErrorShape;
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  if (error instanceof IntegrityError)
    return { kind: 'integrity', code: 'IntegrityCheckFailed', message };
  const network = networkCode(error);
  if (network !== undefined) return { kind: 'unreachable', code: network, message };
  const status = typeof shape.code === 'number' ? shape.code : undefined;
  const failure = (kind: FailureKind): Failure => ({
    kind,
    code:
      status === undefined
        ? typeof shape.code === 'string'
          ? shape.code
          : 'Error'
        : `HTTP ${status}`,
    message,
  });
  if (status === 404)
    return failure(
      /bucket/i.test(message) && !/object/i.test(message) ? 'missing-container' : 'missing-object',
    );
  if (status === 412) return failure('changed');
  if (status === 401 || status === 403) return failure('denied');
  if (status === 429 || status === 503 || status === 408) return failure('throttled');
  if (status !== undefined && status >= 500) return failure('server');
  if (status === undefined && (CREDENTIAL_ERROR.test(message) || shape.code === 'ENOENT'))
    return failure('denied');
  return failure('other');
}
