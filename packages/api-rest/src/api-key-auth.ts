import { createApiKeyCheck, type Logger } from '@ovms/core';
import type { MiddlewareHandler } from 'hono';
import type { RestEnv } from './context.js';
import { errorJson } from './errors.js';

/**
 * REST paths answered without the API key: the KServe health probes, which Kubernetes and load
 * balancers call without credentials. `/metrics` is not among them: it names every model and
 * Prometheus can send the key (`authorization.credentials_file`), see docs/security.md.
 */
export const OPEN_REST_PATHS: ReadonlySet<string> = new Set([
  '/v2/health/live',
  '/v2/health/ready',
]);

export interface ApiKeyAuthOptions {
  readonly apiKey: string;
  /** Paths served without the key; OPEN_REST_PATHS when absent. */
  readonly openPaths?: ReadonlySet<string>;
  /** More paths served without the key, by rule (a mounted page's files). */
  readonly isOpen?: (path: string) => boolean;
  readonly logger: Logger;
}

/**
 * Refuses every request outside `openPaths` whose `Authorization` header does not carry
 * `Bearer <key>`: 401, `WWW-Authenticate: Bearer` and `{"error": …}`. Runs after the CORS
 * middleware, so preflights never reach it and refusals still carry CORS headers.
 */
export function createApiKeyAuth(options: ApiKeyAuthOptions): MiddlewareHandler<RestEnv> {
  const check = createApiKeyCheck(options.apiKey);
  const open = options.openPaths ?? OPEN_REST_PATHS;
  return async (c, next) => {
    if (open.has(c.req.path) || options.isOpen?.(c.req.path) === true) return next();
    const refusal = check(c.req.header('authorization'));
    if (refusal === undefined) return next();
    options.logger.debug(
      { where: `${c.req.method} ${c.req.path}`, reason: refusal.reason },
      'request refused: API key',
    );
    return new Response(errorJson(refusal.message), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
    });
  };
}
