// A read-only `mem://` storage backend: a model repository held in memory, here baked into the
// module. `mem://models/affine` is a model with versions 1 and 2 in the affine engine's format
// (affine-engine.mjs). See docs/plugins.md for the walkthrough.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Every file of the repository, by path under `mem://`. */
const FILES = new Map([
  [
    'models/affine/1/model.affine.json',
    JSON.stringify({ input: 'x', output: 'y', width: 3, scale: 2, bias: 1 }),
  ],
  [
    'models/affine/2/model.affine.json',
    JSON.stringify({ input: 'x', output: 'y', width: 3, scale: 10, bias: 0 }),
  ],
]);

/** The path after `mem://`, without a trailing slash. */
function pathOf(uri) {
  return uri.replace(/^mem:\/\//i, '').replace(/\/+$/, '');
}

/** Files under the directory `dir` ('' for the root). */
function filesUnder(dir) {
  const prefix = dir === '' ? '' : `${dir}/`;
  return [...FILES.keys()].filter((path) => path.startsWith(prefix));
}

/** @type {import('@ovms/core').StorageBackend} */
const memBackend = {
  schemes: ['mem'],

  async list(uri) {
    const dir = pathOf(uri);
    const names = new Set(
      filesUnder(dir).map((path) => path.slice(dir === '' ? 0 : dir.length + 1).split('/')[0]),
    );
    if (names.size === 0) throw new Error(`${uri} does not exist`);
    return [...names].sort();
  },

  // A trailing slash asks for a directory (how the server tells version folders from files).
  async exists(uri) {
    const path = pathOf(uri);
    if (uri.endsWith('/')) return filesUnder(path).length > 0;
    return FILES.has(path) || filesUnder(path).length > 0;
  },

  async readText(uri) {
    const text = FILES.get(pathOf(uri));
    if (text === undefined) throw new Error(`${uri} does not exist`);
    return text;
  },

  // Changes whenever a file under `uri` does: the server reloads the version then.
  async fingerprint(uri) {
    const hash = createHash('sha256');
    for (const path of filesUnder(pathOf(uri))) hash.update(`${path}\0${FILES.get(path)}\0`);
    return hash.digest('hex');
  },

  // Engines load from a local directory: write the version's files under `localDir`.
  async download(uri, localDir) {
    const dir = pathOf(uri);
    const files = filesUnder(dir);
    if (files.length === 0) throw new Error(`${uri} does not exist`);
    for (const path of files) {
      const target = join(localDir, path.slice(dir.length + 1));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, FILES.get(path) ?? '');
    }
    return localDir;
  },
};

/** @param {import('@ovms/core').PluginApi} api */
export default function register(api) {
  api.registerStorageBackend(memBackend);
  api.logger.info({ files: FILES.size }, 'mem:// repository ready');
}
