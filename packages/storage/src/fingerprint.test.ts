import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.js';

describe('fingerprint', () => {
  const roots: string[] = [];
  let dir: string;
  beforeEach(async () => {
    const root = await mkdtemp(join(tmpdir(), 'ovms-fp-'));
    roots.push(root);
    dir = join(root, '1');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'model.xml'), '<net/>');
    await writeFile(join(dir, 'model.bin'), 'weights');
    await writeFile(join(dir, 'sub', 'extra.txt'), 'x');
  });
  afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

  it('is a stable hex digest while nothing changes', async () => {
    const first = await fingerprint(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprint(dir)).toBe(first);
  });

  it('changes when a file is rewritten, resized, touched, added, removed or renamed', async () => {
    const changes: Array<() => Promise<unknown>> = [
      () => writeFile(join(dir, 'model.bin'), 'weights!'),
      () => utimes(join(dir, 'model.xml'), new Date(2001, 1, 1), new Date(2001, 1, 1)),
      () => writeFile(join(dir, 'sub', 'new.txt'), ''),
      () => rm(join(dir, 'sub', 'extra.txt')),
      () => mkdir(join(dir, 'sub', 'deeper')),
    ];
    for (const change of changes) {
      const before = await fingerprint(dir);
      await change();
      expect(await fingerprint(dir)).not.toBe(before);
    }
  });

  it('does not depend on where the version lives, only on its content listing', async () => {
    const before = await fingerprint(dir);
    await utimes(join(dir, 'sub'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(await fingerprint(dir)).toBe(before);
  });

  it('follows symlinks and survives a link loop', async () => {
    await symlink(dir, join(dir, 'sub', 'loop'));
    await symlink(join(dir, 'gone'), join(dir, 'dangling'));
    await expect(fingerprint(dir)).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the path when the version directory is missing or a file', async () => {
    const missing = join(dir, 'nope');
    await expect(fingerprint(missing)).rejects.toMatchObject({
      code: 'PATH_INVALID',
      message: `The provided base path is invalid or doesn't exists - path does not exist: ${missing}`,
    });
    await expect(fingerprint(join(dir, 'model.xml'))).rejects.toMatchObject({
      message: `The provided base path is invalid or doesn't exists - not a directory: ${join(dir, 'model.xml')}`,
    });
  });
});
