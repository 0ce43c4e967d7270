import {
  ServingError,
  StatusCode,
  createMemoryBudget,
  noopMetrics,
  silentLogger,
  type Logger,
  type MemoryBudget,
  type MetricsRecorder,
  type ModelControl,
  type ServableAdmin,
  type ServableProvider,
} from '@ovms/core';
import { DEFAULT_MAX_JSON_BYTES } from '@ovms/codecs';
import { Hono } from 'hono';
import { guardRequests } from './request-guard.js';
import { createApiKeyAuth } from './api-key-auth.js';
import { configReload, configStatus, metrics } from './config-routes.js';
import type { RestContext, RestDeps, RestEnv } from './context.js';
import { createCorsMiddleware } from './cors.js';
import type { RestCorsOptions } from './cors.js';
import { errorResponse, failureResponse } from './errors.js';
import { serveKServeModel, serverLive, serverMetadata, serverReady } from './kserve-routes.js';
import { registerLoopInfer } from './loop-infer.js';
import {
  matchKServePath,
  matchRepositoryPath,
  matchStatisticsPath,
  matchTfsPath,
} from './paths.js';
import { modelStatistics, repositoryIndex, repositoryModel } from './repository-routes.js';
import { serveTfsModel } from './tfs-routes.js';

export interface RestAppOptions {
  readonly provider: ServableProvider;
  readonly admin: ServableAdmin;
  /** Where request counts and times go; default: nowhere. */
  readonly metrics?: MetricsRecorder;
  /** The Prometheus exposition for `GET /metrics`; absent = metrics disabled (404). */
  readonly metricsText?: () => Promise<{ contentType: string; body: string }>;
  /** `name` of `GET /v2`, e.g. "OpenVINO Model Server". */
  readonly serverName: string;
  /** `version` of `GET /v2`. */
  readonly serverVersion: string;
  /** Largest request body accepted; larger is 413. Default 1 GiB. */
  readonly maxBodyBytes?: number;
  /**
   * The server-wide budget of bytes in flight, shared with the gRPC server; a body it cannot
   * hold is refused with 503. Default: one of its own with no cap (bodies counted, none refused).
   */
  readonly memoryBudget?: MemoryBudget;
  readonly logger?: Logger;
  /** CORS answers (OVMS's `--allowed_origins` …); absent: no CORS headers at all. */
  readonly cors?: RestCorsOptions;
  /** Every path but OPEN_REST_PATHS wants `Authorization: Bearer <apiKey>`; absent: open. */
  readonly apiKey?: string;
  /** Triton's repository and statistics routes (`/v2/repository/…`, `…/stats`); absent: 501. */
  readonly modelControl?: ModelControl;
  /** A web UI answering every request under its `path` (the dashboard); absent: none. */
  readonly page?: RestPage;
  /**
   * Further APIs mounted under a path prefix behind the same guard, CORS and API key, such as
   * the OpenAI-compatible `/v3` routes (@ovms/api-openai).
   */
  readonly mounts?: readonly RestMount[];
}

/** A sub-app served under `prefix` (e.g. `/v3`). */
export interface RestMount {
  readonly prefix: string;
  readonly app: Hono;
}

/**
 * A web UI on the REST port, such as `@ovms/dashboard`'s: its paths are its own. Those it calls
 * public (its HTML, scripts and styles) are served without the API key, so that the page can
 * load and ask for the key; its data goes through the key check like every other path.
 */
export interface RestPage {
  /** e.g. `/dashboard`: that path and everything under it. */
  readonly path: string;
  isPublic(path: string): boolean;
  fetch(request: Request): Promise<Response>;
}

/** Paths with one method each; any other method on them is REST_UNSUPPORTED_METHOD. */
const FIXED_PATHS = [
  '/v1/config',
  '/v1/config/reload',
  '/v2',
  '/v2/health/live',
  '/v2/health/ready',
  '/metrics',
  '/v2/repository/index',
  '/v2/models/stats',
];

/** The hono app `createRestApp` returns; serve it with `startRestServer`. */
export type RestApp = Hono<RestEnv>;

function unsupportedMethod(c: RestContext): never {
  throw new ServingError(StatusCode.REST_UNSUPPORTED_METHOD, `${c.req.method} ${c.req.path}`);
}

function notFound(c: RestContext): Response {
  return errorResponse(
    new ServingError(StatusCode.REST_NOT_FOUND, `${c.req.method} ${c.req.path}`),
  );
}

/**
 * The REST API of OVMS as a hono app: TF Serving REST (`/v1/models/…`), KServe v2 REST
 * (`/v2/…`), `/v1/config`, `/v1/config/reload` and `/metrics`. Every failure answers
 * `{"error": "<message>"}` with the status STATUS_TO_HTTP gives its code; unknown paths are
 * REST_NOT_FOUND (404), known paths with another method REST_UNSUPPORTED_METHOD (405).
 */
export function createRestApp(options: RestAppOptions): RestApp {
  const logger = options.logger ?? silentLogger;
  const deps: RestDeps = {
    provider: options.provider,
    admin: options.admin,
    metrics: options.metrics ?? noopMetrics,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_JSON_BYTES,
    memory: options.memoryBudget ?? createMemoryBudget(0),
    serverName: options.serverName,
    serverVersion: options.serverVersion,
    metricsText: options.metricsText,
    modelControl: options.modelControl,
  };
  const app = new Hono<RestEnv>();
  app.onError((error, c) => failureResponse(error, logger, `${c.req.method} ${c.req.path}`));
  app.notFound(notFound);
  app.use(guardRequests(logger));
  // CORS first: preflights carry no credentials, and refusals must reach the page.
  if (options.cors !== undefined) app.use(createCorsMiddleware(options.cors));
  if (options.apiKey !== undefined) {
    const page = options.page;
    app.use(
      createApiKeyAuth({
        apiKey: options.apiKey,
        logger,
        ...(page !== undefined && { isOpen: (path: string) => page.isPublic(path) }),
      }),
    );
  }

  app.get('/v1/config', () => configStatus(deps));
  app.post('/v1/config/reload', () => configReload(deps));
  app.get('/v2', () => serverMetadata(deps));
  app.get('/v2/health/live', () => serverLive());
  app.get('/v2/health/ready', () => serverReady(deps.provider));
  app.get('/metrics', () => metrics(deps));
  app.post('/v2/repository/index', (c) => repositoryIndex(deps, c));
  // Before `/v2/models/*`, which would read it as the metadata of a model named "stats" (Triton too).
  app.get('/v2/models/stats', () => modelStatistics(deps));
  for (const mount of options.mounts ?? []) app.route(mount.prefix, mount.app);
  for (const path of FIXED_PATHS) {
    app.all(path, unsupportedMethod);
  }

  const page = options.page;
  if (page !== undefined) {
    app.all(page.path, (c) => page.fetch(c.req.raw));
    app.all(`${page.path}/*`, (c) => page.fetch(c.req.raw));
  }

  // TF Serving's `:predict` suffix and free-form model names need the paths' own matchers.
  app.all('/v1/models', (c) => routeTfs(deps, c));
  app.all('/v1/models/*', (c) => routeTfs(deps, c));
  app.all('/v2/repository/models/*', (c) => {
    const path = matchRepositoryPath(c.req.path);
    if (path === undefined) return Promise.resolve(notFound(c));
    if (c.req.method !== 'POST') unsupportedMethod(c);
    return repositoryModel(deps, c, path);
  });
  app.all('/v2/models/*', (c) => {
    const statistics = matchStatisticsPath(c.req.path);
    if (statistics !== undefined) {
      if (c.req.method !== 'GET') unsupportedMethod(c);
      return Promise.resolve(modelStatistics(deps, statistics));
    }
    const path = matchKServePath(c.req.path);
    return path === undefined ? Promise.resolve(notFound(c)) : serveKServeModel(deps, c, path);
  });
  // Transport loops decode KServe infers themselves, behind the same CORS and API key.
  registerLoopInfer(app, {
    deps,
    access: { cors: options.cors, apiKey: options.apiKey, maxBodyBytes: deps.maxBodyBytes },
  });
  return app;
}

function routeTfs(deps: RestDeps, c: RestContext): Promise<Response> {
  const path = matchTfsPath(c.req.path);
  return path === undefined ? Promise.resolve(notFound(c)) : serveTfsModel(deps, c, path);
}
