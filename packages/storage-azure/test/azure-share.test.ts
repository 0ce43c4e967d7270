import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import type { DownloadProgress } from '@ovms/core';
import { StorageRegistry, listVersions } from '@ovms/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBackend } from '../src/index.js';
import type { AzureBackendOptions } from '../src/index.js';
import { DEV_ACCOUNT, DEV_KEY } from './azurite.js';
import { startFakeFileShare } from './fake-file-share.js';
import type { FakeFileShare } from './fake-file-share.js';

// azfs:// runs against a TEST DOUBLE of the Files REST API (see fake-file-share.ts): Azurite
// has no Files service. The SDK, the HTTP traffic and the backend are real.
const BIG = randomBytes(9 * 1024 * 1024 + 7);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let files: FakeFileShare;
let work: string;

const options = (extra: AzureBackendOptions = {}): AzureBackendOptions => ({
  connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};FileEndpoint=${files.fileEndpoint};`,
  pageSize: 2,
  retry: { attempts: 3, baseDelayMs: 10 },
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<ServingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

beforeAll(async () => {
  files = await startFakeFileShare();
  files.put('models', 'config.json', '{"model_config_list":[]}');
  files.put('models', 'resnet/1/model.xml', '<net/>');
  files.put('models', 'resnet/1/model.bin', BIG);
  files.put('models', 'resnet/2/model.onnx', 'onnx-bytes');
  files.put('models', 'resnet/2/sub/extra.txt', 'extra');
  files.put('models', 'resnet/notes.txt', 'not a version');
  files.put('models', 'resnet/07/model.onnx', 'seven');
  work = await mkdtemp(join(tmpdir(), 'ovms-azfs-'));
});

afterAll(async () => {
  await files?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('AzureStorageBackend (azfs://) against a Files REST test double', () => {
  it('lists a directory across pages and its versions through the registry', async () => {
    const backend = createAzureBackend(options());
    expect(await backend.list('azfs://models/resnet')).toEqual(['07', '1', '2', 'notes.txt']);
    expect(await backend.list('azfs://models')).toEqual(['config.json', 'resnet']);
    const registry = new StorageRegistry();
    registry.register(backend);
    const versions = await listVersions(
      registry.resolve('azfs://models/resnet'),
      'azfs://models/resnet',
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 7]);
  });

  it('reads config.json from a share and tells what exists', async () => {
    const backend = createAzureBackend(options());
    expect(await backend.readText('azfs://models/config.json')).toBe('{"model_config_list":[]}');
    expect(await backend.exists('azfs://models/resnet/1/model.xml')).toBe(true);
    expect(await backend.exists('azfs://models/resnet/1/')).toBe(true);
    expect(await backend.exists('azfs://models/resnet/notes.txt/')).toBe(false);
    expect(await backend.exists('azfs://models/resnet/9')).toBe(false);
    expect(await backend.exists('azfs://models')).toBe(true);
    expect(await backend.exists('azfs://no-such-share')).toBe(false);
  });

  it('downloads a version with nested directories intact, with progress', async () => {
    const backend = createAzureBackend(options());
    const progress: DownloadProgress[] = [];
    const dir = await backend.download('azfs://models/resnet/1', join(work, 'v1'), {
      onProgress: (p) => progress.push(p),
    });
    expect(sha(await readFile(join(dir, 'model.bin')))).toBe(sha(BIG));
    expect(progress).toHaveLength(10);
    const nested = await backend.download('azfs://models/resnet/2', join(work, 'v2'));
    expect(await readFile(join(nested, 'sub', 'extra.txt'), 'utf8')).toBe('extra');
    expect((await readdir(work)).sort()).toEqual(['v1', 'v2']);
  });

  it('fingerprints by names, sizes and ETags', async () => {
    const backend = createAzureBackend(options());
    files.put('models', 'fp/1/model.onnx', 'aaaa');
    const first = await backend.fingerprint('azfs://models/fp/1');
    files.put('models', 'fp/1/model.onnx', 'bbbb');
    expect(await backend.fingerprint('azfs://models/fp/1')).not.toBe(first);
  });

  it('names a missing share and a missing directory', async () => {
    const backend = createAzureBackend(options());
    const share = await failure(backend.list('azfs://no-such-share/m'));
    expect(share.code).toBe(StatusCode.PATH_INVALID);
    expect(share.message).toContain(
      'file share azfs://no-such-share does not exist (for azfs://no-such-share/m): HTTP 404 ShareNotFound',
    );
    const dir = await failure(backend.list('azfs://models/none'));
    expect(dir.code).toBe(StatusCode.PATH_INVALID);
    expect(dir.message).toContain(
      'path does not exist: azfs://models/none: HTTP 404 ResourceNotFound',
    );
    const none = await failure(backend.download('azfs://models/none', join(work, 'none')));
    expect(none.message).toContain('path does not exist: azfs://models/none has no objects');
  });

  it('fails a download whose file is deleted mid-way, leaving nothing behind', async () => {
    files.put('models', 'd/1/a.bin', randomBytes(9 * 1024 * 1024));
    files.put('models', 'd/1/b.onnx', 'b');
    const backend = createAzureBackend(options({ concurrency: 1 }));
    const before = await readdir(work);
    const error = await failure(
      backend.download('azfs://models/d/1', join(work, 'deleted'), {
        onProgress: () => files.remove('models', 'd/1/b.onnx'),
      }),
    );
    expect(error.message).toContain('object was deleted during download: azfs://models/d/1/b.onnx');
    expect(error.code).toBe(StatusCode.PATH_INVALID);
    expect(await readdir(work)).toEqual(before);
  });
});
