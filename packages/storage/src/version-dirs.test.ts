import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend } from './local-backend.js';
import { listVersions, parseVersionDirName } from './version-dirs.js';

describe('parseVersionDirName', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    ['9007199254740991', 9007199254740991],
  ])('%j is version %d', (name, version) => {
    expect(parseVersionDirName(name)).toBe(version);
  });

  it.each(['0', '00', '-1', '+1', '1abc', ' 1', '1 ', '.1', 'v1', '1.0', '', '9007199254740992'])(
    '%j is not a version',
    (name) => {
      expect(parseVersionDirName(name)).toBeUndefined();
    },
  );

  it('accepts exactly the positive integers written in decimal (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseVersionDirName(String(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (name) => {
        const version = parseVersionDirName(name);
        if (version !== undefined) expect(Number(name)).toBe(version);
        if (/\D/.test(name)) expect(version).toBeUndefined();
      }),
    );
  });
});

describe('listVersions (local)', () => {
  const backend = createLocalBackend();
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ovms-versions-'));
    const m = join(root, 'm');
    for (const dir of ['1', '3', '10', '01', '0', '-2', 'abc', '.5', '2x'])
      await mkdir(join(m, dir), { recursive: true });
    await writeFile(join(m, '7'), 'a file named like a version');
    await mkdir(join(root, 'target'));
    await symlink(join(root, 'target'), join(m, '12'));
    await mkdir(join(root, 'empty'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps positive numeric directories (and links to them), ascending, canonical name first', async () => {
    const m = join(root, 'm');
    expect(await listVersions(backend, m)).toEqual([
      { version: 1, name: '1', uri: join(m, '1') },
      { version: 3, name: '3', uri: join(m, '3') },
      { version: 10, name: '10', uri: join(m, '10') },
      { version: 12, name: '12', uri: join(m, '12') },
    ]);
  });

  it('returns no versions for an empty repository', async () => {
    expect(await listVersions(backend, join(root, 'empty'))).toEqual([]);
  });

  it('fails with the missing base path in the message', async () => {
    const missing = join(root, 'nope');
    await expect(listVersions(backend, missing)).rejects.toMatchObject({
      code: 'PATH_INVALID',
      message: `The provided base path is invalid or doesn't exists - path does not exist: ${missing}`,
    });
  });
});
