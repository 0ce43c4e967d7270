import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Why a request was refused by the API key check; both transports send `message` as it is
 * (REST 401 `{"error"}`, gRPC UNAUTHENTICATED details) so clients see one wording.
 */
export interface ApiKeyRefusal {
  readonly reason: 'missing' | 'malformed' | 'invalid';
  readonly message: string;
}

/**
 * Checks the value of an `Authorization` header (REST) or `authorization` metadata (gRPC)
 * against the server's key: undefined when it carries the key, the refusal otherwise.
 */
export type ApiKeyCheck = (authorization: string | undefined) => ApiKeyRefusal | undefined;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The one API key rule of both transports (SPEC "Transport security and access"): the key is
 * sent as `Bearer <key>`. Both sides are hashed before `timingSafeEqual`, so neither the
 * comparison time nor a length check tells a caller how much of a guess was right; the key
 * itself is kept only as its digest and never appears in a message.
 */
export function createApiKeyCheck(key: string): ApiKeyCheck {
  if (key === '') throw new Error('the API key is empty');
  const expected = digest(key);
  return (authorization) => {
    if (authorization === undefined || authorization.trim() === '')
      return {
        reason: 'missing',
        message: 'Missing API key - expected the header "Authorization: Bearer <key>"',
      };
    const match = BEARER.exec(authorization);
    if (match === null)
      return {
        reason: 'malformed',
        message: 'Malformed Authorization header - expected "Bearer <key>"',
      };
    return timingSafeEqual(digest(match[1] ?? ''), expected)
      ? undefined
      : { reason: 'invalid', message: 'Invalid API key' };
  };
}
