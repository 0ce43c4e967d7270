import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorageRegistry, createStorageRepository } from './repository.js';
import type { ModelRepository } from '@ovms/lifecycle';

let root: string;
let repository: ModelRepository;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-repository-'));
  for (const dir of ['m/1', 'm/007', 'm/latest', 'files'])
    await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'm', '1', 'model.onnx'), 'one');
  await writeFile(join(root, 'files', 'model.xml'), '<net/>');
  await writeFile(join(root, 'files', 'model.bin'), 'weights');
  await writeFile(join(root, 'files', 'other.onnx'), 'another model beside it');
  await writeFile(join(root, 'files', 'notes.txt'), 'not a model');
  repository = createStorageRepository({
    registry: createStorageRegistry(),
    workDir: join(root, 'work'),
  });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('createStorageRepository', () => {
  it('lists numeric version directories and loads them in place', async () => {
    expect(await repository.listVersions(join(root, 'm'))).toEqual([1, 7]);
    expect(await repository.download(join(root, 'm'), 7)).toBe(join(root, 'm', '007'));
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

  it('refuses a file that is not a model, naming it', async () => {
    await expect(repository.listVersions(join(root, 'files', 'notes.txt'))).rejects.toThrow(
      /notes\.txt/,
    );
  });
});
