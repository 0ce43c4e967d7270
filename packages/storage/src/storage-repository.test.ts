import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageBackend } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.js';
import { createLocalBackend } from './local-backend.js';
import { parseModelUri } from './model-uri.js';
import { StorageRegistry } from './storage-registry.js';
import { createStorageRepository } from './storage-repository.js';
import type { StorageRepository } from './storage-repository.js';

let root: string;
let registry: StorageRegistry;
let repository: StorageRepository;

/**
 * `copy://<path>` serves the local tree at `<root>/<path>` the way a cloud backend does:
 * listing and fingerprints read the store, `download` copies into the folder it is given.
 */
function copyBackend(): StorageBackend {
  const local = createLocalBackend();
  const path = (uri: string) => join(root, parseModelUri(uri).path);
  return {
    schemes: ['copy'],
    list: (uri) => local.list(path(uri)),
    exists: (uri) => local.exists(path(uri)),
    readText: (uri) => local.readText(path(uri)),
    fingerprint: (uri) => fingerprint(path(uri)),
    download: async (uri, localDir) => {
      await cp(path(uri), localDir, { recursive: true });
      return localDir;
    },
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-storage-repository-'));
  for (const dir of ['m/1', 'm/007', 'm/latest', 'files', 'remote/3'])
    await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'm', '1', 'model.onnx'), 'one');
  await writeFile(join(root, 'files', 'model.xml'), '<net/>');
  await writeFile(join(root, 'files', 'model.bin'), 'weights');
  await writeFile(join(root, 'files', 'other.onnx'), 'another model beside it');
  await writeFile(join(root, 'files', 'notes.txt'), 'not a model');
  await writeFile(join(root, 'remote', '3', 'model.onnx'), 'remote three');
  registry = new StorageRegistry();
  registry.register(createLocalBackend());
  registry.register(copyBackend());
  repository = createStorageRepository({ registry, workDir: join(root, 'work') });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('createStorageRepository', () => {
  it('lists numeric version directories and loads local ones in place', async () => {
    expect(await repository.listVersions(join(root, 'm'))).toEqual([1, 7]);
    expect(await repository.download(join(root, 'm'), 7)).toBe(join(root, 'm', '007'));
  });

  it('never deletes a local version on release', async () => {
    await repository.release(join(root, 'm', '1'));
    expect(await readFile(join(root, 'm', '1', 'model.onnx'), 'utf8')).toBe('one');
  });

  it('serves a single model file as version 1 from a folder holding only its files', async () => {
    const base = join(root, 'files', 'model.xml');
    expect(await repository.listVersions(base)).toEqual([1]);
    const dir = await repository.download(base, 1);
    expect((await readdir(dir)).sort()).toEqual(['model.bin', 'model.xml']);
    const before = await repository.fingerprint(base, 1);
    await writeFile(join(root, 'files', 'model.bin'), 'new weights');
    expect(await repository.fingerprint(base, 1)).not.toBe(before);
  });

  it('serves text-generation models without version folders: a GGUF file, a GenAI folder', async () => {
    const gguf = join(root, 'files', 'chat.gguf');
    await writeFile(gguf, 'GGUF');
    expect(await repository.listVersions(gguf)).toEqual([1]);
    expect(await readdir(await repository.download(gguf, 1))).toEqual(['chat.gguf']);
    const folder = join(root, 'genai');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'openvino_model.xml'), '<net/>');
    await writeFile(join(folder, 'openvino_tokenizer.xml'), '<net/>');
    expect(await repository.listVersions(folder)).toEqual([1]);
    expect(await repository.download(folder, 1)).toBe(folder);
  });

  it('refuses a file that is not a model, naming it', async () => {
    await expect(repository.listVersions(join(root, 'files', 'notes.txt'))).rejects.toThrow(
      /notes\.txt/,
    );
  });

  it('downloads each load of a remote version into a copy of its own and releases it', async () => {
    expect(await repository.listVersions('copy://remote')).toEqual([3]);
    const first = await repository.download('copy://remote', 3);
    const second = await repository.download('copy://remote', 3);
    expect(first).not.toBe(second);
    expect(first.startsWith(join(root, 'work', 'remote'))).toBe(true);
    expect(await readFile(join(first, 'model.onnx'), 'utf8')).toBe('remote three');
    await repository.release(first);
    await expect(readdir(first)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(second)).toEqual(['model.onnx']);
  });

  it('fails to fingerprint through a backend that cannot, with INTERNAL_ERROR naming the dir', async () => {
    const none = () => Promise.reject(new Error('not used'));
    const bare = new StorageRegistry();
    bare.register({
      schemes: ['bare'],
      list: () => Promise.resolve(['1']),
      exists: () => Promise.resolve(true),
      readText: none,
      download: none,
    });
    const plain = createStorageRepository({ registry: bare, workDir: join(root, 'bare') });
    expect(await plain.listVersions('bare://m')).toEqual([1]);
    await expect(plain.fingerprint('bare://m', 1)).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Internal server error - cannot fingerprint bare://m/1',
    });
  });
});
