import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRepositoryFolder, createModelRepositoryFolder } from './model-repository.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-model-repository-'));
  for (const folder of ['resnet', 'add', '.hidden', 'a\\b', 'elsewhere/linked-target'])
    await mkdir(join(root, 'repo', folder), { recursive: true });
  await writeFile(join(root, 'repo', 'notes.txt'), 'not a model');
  await symlink(join(root, 'repo', 'elsewhere', 'linked-target'), join(root, 'repo', 'linked'));
  await symlink(join(root, 'repo', 'notes.txt'), join(root, 'repo', 'file-link'));
  await symlink(join(root, 'nowhere'), join(root, 'repo', 'dangling'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('createModelRepositoryFolder', () => {
  it('lists folders and links to folders whose names are model names, sorted', async () => {
    const folder = createModelRepositoryFolder({ path: join(root, 'repo'), controlMode: 'none' });
    expect(await folder.list()).toEqual(['add', 'elsewhere', 'linked', 'resnet']);
  });

  it('defines a folder with OVMS defaults or an override, the cache dir passed on', () => {
    const folder = createModelRepositoryFolder(
      { path: join(root, 'repo'), controlMode: 'explicit' },
      { cacheDir: '/cache' },
    );
    expect(folder.define('add', undefined)).toMatchObject({
      name: 'add',
      basePath: join(root, 'repo', 'add'),
      versionPolicy: { kind: 'latest', numVersions: 1 },
      loadOptions: { cacheDir: '/cache' },
    });
    expect(folder.define('add', '{"model_version_policy": {"all": {}}}')).toMatchObject({
      versionPolicy: { kind: 'all' },
    });
  });
});

describe('checkRepositoryFolder', () => {
  it('accepts a folder and refuses anything else with PATH_INVALID', async () => {
    await checkRepositoryFolder(join(root, 'repo'));
    for (const path of [join(root, 'repo', 'notes.txt'), join(root, 'missing')]) {
      const error = await checkRepositoryFolder(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServingError);
      expect(error).toMatchObject({
        code: StatusCode.PATH_INVALID,
        message: `The provided base path is invalid or doesn't exists - --model_repository_path ${path} is not a folder`,
      });
    }
  });
});
