import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel } from '../src/index.js';

// examples/embed run as an outside user runs it: @ovms/server and every @ovms package it needs
// are packed with `npm pack` (their `files`: package.json, README.md, dist/) and unpacked into
// the example's node_modules, as `npm install <tarball>` would; the third-party dependencies
// are linked from this workspace's install, so the test needs no network (scripts/check-pack.sh
// checks the real `npm install`). The example then resolves every @ovms import through the
// `default` export condition, i.e. the built dist/, never src/.

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLE = join(ROOT, 'examples/embed');
/** What examples/embed imports (@ovms/server), and what that imports in turn: name → folder. */
const PACKAGES: Readonly<Record<string, string>> = {
  core: 'packages/core',
  proto: 'packages/proto',
  codecs: 'packages/codecs',
  config: 'packages/config',
  storage: 'packages/storage',
  'storage-s3': 'packages/storage-s3',
  'storage-gcs': 'packages/storage-gcs',
  'storage-azure': 'packages/storage-azure',
  lifecycle: 'packages/lifecycle',
  dag: 'packages/dag',
  metrics: 'packages/metrics',
  images: 'packages/images',
  'engine-onnxruntime': 'packages/engine-onnxruntime',
  'engine-openvino': 'packages/engine-openvino',
  'api-grpc': 'packages/api-grpc',
  'api-rest': 'packages/api-rest',
  'api-openai': 'packages/api-openai',
  'engine-genai': 'packages/engine-genai',
  dashboard: 'packages/dashboard',
  server: 'apps/ovms',
};
const NAMES = Object.keys(PACKAGES);
const STEP_MS = 60_000;

interface PackageJson {
  readonly dependencies?: Record<string, string>;
}

let work: string;
let app: string;

async function installPacked(name: string, nodeModules: string, packs: string): Promise<void> {
  const folder = PACKAGES[name] ?? name;
  const dir = join(ROOT, folder);
  if (!existsSync(join(dir, 'dist/index.js')))
    throw new Error(`${folder}/dist is missing: run \`turbo run build\` first`);
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', packs],
    { cwd: dir, timeout: STEP_MS },
  );
  const [packed] = JSON.parse(stdout) as [{ filename: string }];
  const target = join(nodeModules, '@ovms', name);
  await mkdir(target, { recursive: true });
  await run('tar', ['-xzf', join(packs, packed.filename), '-C', target, '--strip-components=1'], {
    timeout: STEP_MS,
  });
  const manifest = JSON.parse(await readFile(join(target, 'package.json'), 'utf8')) as PackageJson;
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (dep.startsWith('@ovms/') || existsSync(join(nodeModules, dep))) continue;
    await mkdir(join(nodeModules, dep, '..'), { recursive: true });
    await symlink(await realpath(join(dir, 'node_modules', dep)), join(nodeModules, dep), 'dir');
  }
}

/** The environment without vitest's source condition, so the example sees what users see. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ovms-embed-'));
  app = join(work, 'app');
  const nodeModules = join(app, 'node_modules');
  await mkdir(join(work, 'packs'), { recursive: true });
  await mkdir(nodeModules, { recursive: true });
  for (const file of ['package.json', 'main.js'])
    await copyFile(join(EXAMPLE, file), join(app, file));
  for (const name of NAMES) await installPacked(name, nodeModules, join(work, 'packs'));
  await writeFixtureModel('add_f32', 'onnx', join(work, 'models/add/1'));
}, 8 * STEP_MS);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('examples/embed', () => {
  it('resolves every @ovms import to the packed dist/', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `for (const p of ${JSON.stringify(NAMES.map((p) => `@ovms/${p}`))}) console.log(import.meta.resolve(p));`,
      ],
      { cwd: app, env: plainEnv(), timeout: STEP_MS },
    );
    const urls = stdout.trim().split('\n');
    expect(urls).toHaveLength(NAMES.length);
    for (const [i, url] of urls.entries())
      expect(url).toMatch(new RegExp(`/app/node_modules/@ovms/${NAMES[i]}/dist/index\\.js$`));
  });

  it('serves the model in process and over REST with real inference results', async () => {
    const { stdout } = await run(process.execPath, ['main.js', 'add', join(work, 'models/add')], {
      cwd: app,
      env: plainEnv(),
      timeout: STEP_MS,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as unknown;
    expect(result).toEqual({
      inProcess: { sum: [11, 22, 33, 44] },
      rest: {
        status: 200,
        body: {
          model_name: 'add',
          model_version: '1',
          outputs: [{ name: 'sum', datatype: 'FP32', shape: [1, 4], data: [2, 3, 4, 5] }],
        },
      },
    });
  });
});
