import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import type { DownloadProgress } from '@ovms/core';
import { StorageRegistry, listVersions } from '@ovms/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcsBackend, gcsOptionsFromEnv } from '../src/index.js';
import type { GcsBackendOptions } from '../src/index.js';
import { startGcsEmulator } from './gcs-emulator.js';
import type { GcsEmulator } from './gcs-emulator.js';

const BIG = randomBytes(9 * 1024 * 1024 + 123);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let emulator: GcsEmulator;
let admin: Storage;
let work: string;

const backendOptions = (extra: GcsBackendOptions = {}): GcsBackendOptions => ({
  apiEndpoint: emulator.endpoint,
  anonymous: true,
  projectId: 'test',
  pageSize: 2, // every listing below spans several pages
  retry: { attempts: 3, baseDelayMs: 10 },
  ...extra,
});

async function put(bucket: string, name: string, body: string | Buffer): Promise<void> {
  await admin.bucket(bucket).file(name).save(body, { resumable: false });
}

beforeAll(async () => {
  emulator = await startGcsEmulator();
  admin = new Storage({
    apiEndpoint: emulator.endpoint,
    projectId: 'test',
    useAuthWithCustomEndpoint: false,
  });
  await admin.createBucket('models');
  await put('models', 'config.json', '{"model_config_list":[]}');
  await put('models', 'resnet/1/model.xml', '<net/>');
  await put('models', 'resnet/1/model.bin', BIG);
  await put('models', 'resnet/2/model.onnx', 'onnx-bytes');
  await put('models', 'resnet/2/sub/extra.txt', 'extra');
  await put('models', 'resnet/notes.txt', 'not a version');
  await put('models', 'resnet/07/model.onnx', 'seven');
  await put('models', 'resnet/0/model.onnx', 'zero is no version');
  work = await mkdtemp(join(tmpdir(), 'ovms-gcs-'));
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('GcsStorageBackend against fake-gcs-server', () => {
  it('lists directories and objects directly under a prefix, across pages', async () => {
    const backend = createGcsBackend(backendOptions());
    expect(await backend.list('gs://models/resnet')).toEqual(['0', '07', '1', '2', 'notes.txt']);
    expect(await backend.list('gs://models/resnet/2/')).toEqual(['model.onnx', 'sub']);
    expect(await backend.list('gs://models')).toEqual(['config.json', 'resnet']);
  });

  it('lists versions through the StorageRegistry', async () => {
    const registry = new StorageRegistry();
    registry.register(createGcsBackend(backendOptions()));
    const versions = await listVersions(
      registry.resolve('gs://models/resnet'),
      'gs://models/resnet',
    );
    expect(versions.map((v) => [v.version, v.uri])).toEqual([
      [1, 'gs://models/resnet/1'],
      [2, 'gs://models/resnet/2'],
      [7, 'gs://models/resnet/07'],
    ]);
  });

  it('reads config.json from a bucket and tells what exists', async () => {
    const backend = createGcsBackend(backendOptions());
    expect(await backend.readText('gs://models/config.json')).toBe('{"model_config_list":[]}');
    expect(await backend.exists('gs://models/resnet/1/model.xml')).toBe(true);
    expect(await backend.exists('gs://models/resnet/1/')).toBe(true);
    expect(await backend.exists('gs://models/resnet/notes.txt/')).toBe(false);
    expect(await backend.exists('gs://models/resnet/9')).toBe(false);
    expect(await backend.exists('gs://models')).toBe(true);
    expect(await backend.exists('gs://no-such-bucket/x')).toBe(false);
  });

  it('downloads a version intact, reporting progress of the large file every 10%', async () => {
    const backend = createGcsBackend(backendOptions());
    const progress: DownloadProgress[] = [];
    const dir = await backend.download('gs://models/resnet/1', join(work, 'v1'), {
      onProgress: (p) => progress.push(p),
    });
    expect(dir).toBe(join(work, 'v1'));
    expect(sha(await readFile(join(dir, 'model.bin')))).toBe(sha(BIG));
    expect(await readFile(join(dir, 'model.xml'), 'utf8')).toBe('<net/>');
    expect(progress).toHaveLength(10);
    expect(progress.every((p) => p.file === 'gs://models/resnet/1/model.bin')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ bytesDone: BIG.length, bytesTotal: BIG.length });
    expect(await readdir(work)).toEqual(['v1']);
  });

  it('downloads nested objects and replaces an older local copy', async () => {
    const backend = createGcsBackend(backendOptions());
    const target = join(work, 'v2');
    await backend.download('gs://models/resnet/1', target);
    await backend.download('gs://models/resnet/2', target);
    expect((await readdir(target)).sort()).toEqual(['model.onnx', 'sub']);
    expect(await readFile(join(target, 'sub', 'extra.txt'), 'utf8')).toBe('extra');
    expect((await readdir(work)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('fingerprints a version by names, sizes and generations', async () => {
    const backend = createGcsBackend(backendOptions());
    await put('models', 'fp/1/model.onnx', 'aaaa');
    const first = await backend.fingerprint('gs://models/fp/1');
    expect(await backend.fingerprint('gs://models/fp/1/')).toBe(first);
    await put('models', 'fp/1/model.onnx', 'bbbb'); // same size, new generation
    const rewritten = await backend.fingerprint('gs://models/fp/1');
    expect(rewritten).not.toBe(first);
    await put('models', 'fp/1/extra.txt', 'x');
    expect(await backend.fingerprint('gs://models/fp/1')).not.toBe(rewritten);
    await expect(backend.fingerprint('gs://models/fp/9')).rejects.toThrow(
      'path does not exist: gs://models/fp/9 has no objects',
    );
  });

  it('works from STORAGE_EMULATOR_HOST, which the SDK also reads from the process', async () => {
    const host = emulator.endpoint.replace('http://', '');
    const saved = process.env['STORAGE_EMULATOR_HOST'];
    process.env['STORAGE_EMULATOR_HOST'] = host;
    try {
      const backend = createGcsBackend(gcsOptionsFromEnv({ STORAGE_EMULATOR_HOST: host }));
      expect(await backend.list('gs://models/resnet/2')).toEqual(['model.onnx', 'sub']);
      expect(await backend.readText('gs://models/config.json')).toBe('{"model_config_list":[]}');
    } finally {
      if (saved === undefined) delete process.env['STORAGE_EMULATOR_HOST'];
      else process.env['STORAGE_EMULATOR_HOST'] = saved;
    }
  });
});
