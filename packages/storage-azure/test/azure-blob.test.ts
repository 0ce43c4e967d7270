import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import type { DownloadProgress } from '@ovms/core';
import { StorageRegistry, listVersions } from '@ovms/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBackend } from '../src/index.js';
import type { AzureBackendOptions } from '../src/index.js';
import { startAzurite } from './azurite.js';
import type { Azurite } from './azurite.js';

const BIG = randomBytes(9 * 1024 * 1024 + 321);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let azurite: Azurite;
let models: ContainerClient;
let work: string;

const options = (extra: AzureBackendOptions = {}): AzureBackendOptions => ({
  connectionString: azurite.connectionString(),
  pageSize: 2, // every listing below spans several pages
  retry: { attempts: 3, baseDelayMs: 10 },
  ...extra,
});

async function put(name: string, body: string | Buffer): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  await models.getBlockBlobClient(name).upload(bytes, bytes.length, {
    blobHTTPHeaders: { blobContentMD5: createHash('md5').update(bytes).digest() },
  });
}

beforeAll(async () => {
  azurite = await startAzurite();
  models = BlobServiceClient.fromConnectionString(azurite.connectionString()).getContainerClient(
    'models',
  );
  await models.create();
  await put('config.json', '{"model_config_list":[]}');
  await put('resnet/1/model.xml', '<net/>');
  await put('resnet/1/model.bin', BIG);
  await put('resnet/2/model.onnx', 'onnx-bytes');
  await put('resnet/2/sub/extra.txt', 'extra');
  await put('resnet/notes.txt', 'not a version');
  await put('resnet/07/model.onnx', 'seven');
  work = await mkdtemp(join(tmpdir(), 'ovms-azure-'));
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('AzureStorageBackend (az://) against Azurite', () => {
  it('lists directories and blobs directly under a prefix, across pages', async () => {
    const backend = createAzureBackend(options());
    expect(await backend.list('az://models/resnet')).toEqual(['07', '1', '2', 'notes.txt']);
    expect(await backend.list('az://models/resnet/2/')).toEqual(['model.onnx', 'sub']);
    expect(await backend.list('az://models')).toEqual(['config.json', 'resnet']);
  });

  it('lists versions through the StorageRegistry', async () => {
    const registry = new StorageRegistry();
    registry.register(createAzureBackend(options()));
    expect(registry.schemes()).toEqual(['az', 'azfs']);
    const versions = await listVersions(
      registry.resolve('az://models/resnet'),
      'az://models/resnet',
    );
    expect(versions.map((v) => [v.version, v.uri])).toEqual([
      [1, 'az://models/resnet/1'],
      [2, 'az://models/resnet/2'],
      [7, 'az://models/resnet/07'],
    ]);
  });

  it('reads config.json from a container and tells what exists', async () => {
    const backend = createAzureBackend(options());
    expect(await backend.readText('az://models/config.json')).toBe('{"model_config_list":[]}');
    expect(await backend.exists('az://models/resnet/1/model.xml')).toBe(true);
    expect(await backend.exists('az://models/resnet/1/')).toBe(true);
    expect(await backend.exists('az://models/resnet/notes.txt/')).toBe(false);
    expect(await backend.exists('az://models/resnet/9')).toBe(false);
    expect(await backend.exists('az://models')).toBe(true);
    expect(await backend.exists('az://no-such-container/x')).toBe(false);
  });

  it('downloads a version intact, reporting progress of the large blob every 10%', async () => {
    const backend = createAzureBackend(options());
    const progress: DownloadProgress[] = [];
    const dir = await backend.download('az://models/resnet/1', join(work, 'v1'), {
      onProgress: (p) => progress.push(p),
    });
    expect(dir).toBe(join(work, 'v1'));
    expect(sha(await readFile(join(dir, 'model.bin')))).toBe(sha(BIG));
    expect(await readFile(join(dir, 'model.xml'), 'utf8')).toBe('<net/>');
    expect(progress).toHaveLength(10);
    expect(progress.every((p) => p.file === 'az://models/resnet/1/model.bin')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ bytesDone: BIG.length, bytesTotal: BIG.length });
    expect(await readdir(work)).toEqual(['v1']);
  });

  it('downloads nested blobs and replaces an older local copy', async () => {
    const backend = createAzureBackend(options());
    const target = join(work, 'v2');
    await backend.download('az://models/resnet/1', target);
    await backend.download('az://models/resnet/2', target);
    expect((await readdir(target)).sort()).toEqual(['model.onnx', 'sub']);
    expect(await readFile(join(target, 'sub', 'extra.txt'), 'utf8')).toBe('extra');
    expect((await readdir(work)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('fingerprints a version by names, sizes and ETags', async () => {
    const backend = createAzureBackend(options());
    await put('fp/1/model.onnx', 'aaaa');
    const first = await backend.fingerprint('az://models/fp/1');
    expect(await backend.fingerprint('az://models/fp/1/')).toBe(first);
    await put('fp/1/model.onnx', 'bbbb'); // same size, new ETag
    const rewritten = await backend.fingerprint('az://models/fp/1');
    expect(rewritten).not.toBe(first);
    await put('fp/1/extra.txt', 'x');
    expect(await backend.fingerprint('az://models/fp/1')).not.toBe(rewritten);
    await expect(backend.fingerprint('az://models/fp/9')).rejects.toThrow(
      'path does not exist: az://models/fp/9 has no objects',
    );
  });
});
