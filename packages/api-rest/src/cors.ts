import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { RestEnv } from './context.js';

/** OVMS's CORS flags (`--allowed_origins` …), lists already split; `*` allows any. */
export interface RestCorsOptions {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly allowCredentials: boolean;
}

/** OVMS's defaults: any origin, method and header, no credentials. */
export const DEFAULT_CORS: RestCorsOptions = {
  allowedOrigins: ['*'],
  allowedMethods: ['*'],
  allowedHeaders: ['*'],
  allowCredentials: false,
};

/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * The CORS middleware, first in the app so that preflights (which carry no credentials) are
 * answered 204 before the API key check. An origin that is not allowed gets no
 * `Access-Control-Allow-Origin`, so the browser keeps the answer from the page.
 *
 * `*` is widened by echoing what the browser asked for, because the literal wildcard does not
 * cover what clients of this API need: `Access-Control-Allow-Headers: *` never covers
 * `Authorization`, and no `*` counts on a request with credentials.
 */
export function createCorsMiddleware(options: RestCorsOptions): MiddlewareHandler<RestEnv> {
  const anyOrigin = options.allowedOrigins.includes('*');
  const origins = new Set(options.allowedOrigins);
  const anyMethod = options.allowedMethods.includes('*');
  const anyHeader = options.allowedHeaders.includes('*');
  const middleware = cors({
    origin: (origin) => {
      if (anyOrigin && !options.allowCredentials) return '*';
      return origin !== '' && (anyOrigin || origins.has(origin)) ? origin : null;
    },
    allowMethods: anyMethod
      ? (_origin, c) => [c.req.header('access-control-request-method') ?? 'GET']
      : [...options.allowedMethods],
    // An empty list makes hono echo Access-Control-Request-Headers.
    allowHeaders: anyHeader ? [] : [...options.allowedHeaders],
    // KServe's binary extension: a page must read where the JSON header ends.
    exposeHeaders: ['Inference-Header-Content-Length'],
    maxAge: PREFLIGHT_MAX_AGE_S,
    credentials: options.allowCredentials,
  });
  // hono answers every OPTIONS as a preflight; one without Origin is no browser's and goes on
  // to the routes (405 there, or 401 without the key).
  return (c, next) =>
    c.req.method === 'OPTIONS' && c.req.header('origin') === undefined
      ? next()
      : middleware(c, next);
}
