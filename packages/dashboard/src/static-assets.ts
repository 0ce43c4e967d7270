import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** One file of the built page, held in memory: the whole bundle is a few hundred kB. */
export interface StaticAsset {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** Strong validator of `body`, quoted as HTTP wants it. */
  readonly etag: string;
}

/** The built page: `index.html` and the content-hashed files under `assets/`. */
export interface StaticAssets {
  readonly index: StaticAsset;
  /** By file name, e.g. `app-3FQX2L7A.js`. */
  readonly files: ReadonlyMap<string, StaticAsset>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

function toAsset(name: string, body: Uint8Array): StaticAsset {
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 22);
  return {
    body,
    contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    etag: `"${digest}"`,
  };
}

/**
 * Reads the page `build-ui.mjs` wrote into `dir` (`index.html`, `assets/*`). Rejects when the
 * page was not built, naming the folder and the command that builds it.
 */
export async function readStaticAssets(dir: string): Promise<StaticAssets> {
  let index: Uint8Array;
  let names: string[];
  try {
    index = await readFile(join(dir, 'index.html'));
    names = await readdir(join(dir, 'assets'));
  } catch (error) {
    throw new Error(
      `dashboard page not built: ${dir} has no index.html and assets/ (run pnpm build)`,
      {
        cause: error,
      },
    );
  }
  const files = new Map<string, StaticAsset>();
  for (const name of names) {
    files.set(name, toAsset(name, await readFile(join(dir, 'assets', name))));
  }
  return { index: toAsset('index.html', index), files };
}
