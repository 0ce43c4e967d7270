import { fileURLToPath } from 'node:url';
import { toPipelineGraph } from './pipeline-graph.js';
import type { DashboardPipeline } from './pipeline-graph.js';
import { readStaticAssets } from './static-assets.js';
import type { StaticAsset, StaticAssets } from './static-assets.js';

/** Where the page lives on the REST port. */
export const DASHBOARD_PATH = '/dashboard';
const ASSETS_PREFIX = `${DASHBOARD_PATH}/assets/`;
/** The page's own data: what no other endpoint tells (pipeline graphs, the control mode). */
export const DASHBOARD_SERVER_PATH = `${DASHBOARD_PATH}/api/server`;

/**
 * Everything the page loads comes from this origin: no CDN, no inline script or style (uPlot and
 * Preact set styles through the CSSOM, which `style-src` does not restrict), images only from
 * the page itself (`data:` for the empty favicon, `blob:` for the try-it preview).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardOptions {
  /** The pipelines the server knows now, read on every request of the page's data. */
  readonly pipelines: () => readonly DashboardPipeline[];
  /** `--model_control_mode`: `explicit` shows load/unload buttons. Default `none`. */
  readonly modelControlMode?: 'none' | 'explicit';
  /** Whether `/metrics` serves: the page reads request counts and time histograms there. */
  readonly metricsEnabled: boolean;
  /** Whether `GET /v2/models/stats` serves: the page's counts when `/metrics` does not. */
  readonly statisticsEnabled: boolean;
  /** The built page; default: this package's `dist/ui`, written by `pnpm build`. */
  readonly assetsDir?: string;
}

/**
 * A web UI mounted on the REST app: it answers every request under `path`. Paths for which
 * `isPublic` is true (the page and its scripts and styles, which hold no data) are served
 * without the API key, so that the page can ask for it; the data it then fetches carries it.
 */
export interface Dashboard {
  readonly path: string;
  isPublic(path: string): boolean;
  fetch(request: Request): Promise<Response>;
}

/** `dist/ui` beside both `src/` and `dist/`: the page is built once, for source and dist alike. */
const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../dist/ui', import.meta.url));

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

function errorResponse(status: number, message: string, extra: Record<string, string> = {}) {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { 'content-type': 'application/json', ...extra },
  });
}

function assetResponse(request: Request, asset: StaticAsset, cacheControl: string): Response {
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': asset.contentType,
    'cache-control': cacheControl,
    etag: asset.etag,
  };
  if (request.headers.get('if-none-match') === asset.etag) {
    return new Response(null, { status: 304, headers });
  }
  const body = request.method === 'HEAD' ? null : asset.body;
  return new Response(body, { status: 200, headers });
}

/**
 * The dashboard of `GET /dashboard` (SPEC "Dashboard"): the page bundled at build time, served
 * from memory (`index.html` revalidated on every load, the content-hashed scripts and styles
 * cached for a year), and `GET /dashboard/api/server`, the pipeline graphs and control mode.
 * The page is read from disk on the first request; a page that was not built answers 503 with
 * the reason, and the rest of the server is unaffected.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const assetsDir = options.assetsDir ?? DEFAULT_ASSETS_DIR;
  let assets: Promise<StaticAssets> | undefined;
  const load = (): Promise<StaticAssets> => {
    const reading = (assets ??= readStaticAssets(assetsDir));
    // A failed read is retried next time: `pnpm build` may have run since.
    reading.catch(() => {
      if (assets === reading) assets = undefined;
    });
    return reading;
  };

  const serveStatic = async (request: Request, path: string): Promise<Response> => {
    let page: StaticAssets;
    try {
      page = await load();
    } catch (error) {
      return errorResponse(503, (error as Error).message);
    }
    if (path === DASHBOARD_PATH || path === `${DASHBOARD_PATH}/`) {
      return assetResponse(request, page.index, 'no-cache');
    }
    const file = page.files.get(path.slice(ASSETS_PREFIX.length));
    if (file === undefined) return errorResponse(404, `no dashboard file ${path}`);
    return assetResponse(request, file, 'public, max-age=31536000, immutable');
  };

  const serverInfo = (): Response =>
    new Response(
      JSON.stringify({
        modelControlMode: options.modelControlMode ?? 'none',
        metricsEnabled: options.metricsEnabled,
        statisticsEnabled: options.statisticsEnabled,
        pipelines: options.pipelines().map(toPipelineGraph),
      }),
      { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } },
    );

  const isPublic = (path: string): boolean =>
    path === DASHBOARD_PATH || path === `${DASHBOARD_PATH}/` || path.startsWith(ASSETS_PREFIX);

  return {
    path: DASHBOARD_PATH,
    isPublic,
    fetch(request) {
      const path = new URL(request.url).pathname;
      const known = isPublic(path) || path === DASHBOARD_SERVER_PATH;
      if (!known) return Promise.resolve(errorResponse(404, `no dashboard path ${path}`));
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return Promise.resolve(
          errorResponse(405, `${request.method} ${path}: the dashboard answers GET only`, {
            allow: 'GET, HEAD',
          }),
        );
      }
      return path === DASHBOARD_SERVER_PATH
        ? Promise.resolve(serverInfo())
        : serveStatic(request, path);
    },
  };
}
