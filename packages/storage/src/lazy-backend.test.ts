import type { StorageBackend } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { createLazyBackend } from './lazy-backend.js';

function fakeBackend(schemes: readonly string[], calls: string[]): StorageBackend {
  const record = <T>(call: string, value: T) => {
    calls.push(call);
    return Promise.resolve(value);
  };
  return {
    schemes,
    list: (uri) => record(`list ${uri}`, ['1']),
    exists: (uri) => record(`exists ${uri}`, true),
    readText: (uri) => record(`readText ${uri}`, 'text'),
    fingerprint: (uri) => record(`fingerprint ${uri}`, 'sig'),
    download: (uri, localDir) => record(`download ${uri} ${localDir}`, localDir),
  };
}

describe('createLazyBackend', () => {
  it('loads nothing until the first call, then loads once and delegates every method', async () => {
    const calls: string[] = [];
    let loads = 0;
    const lazy = createLazyBackend(['s3'], () => {
      loads += 1;
      return Promise.resolve(fakeBackend(['s3'], calls));
    });
    expect(lazy.schemes).toEqual(['s3']);
    expect(loads).toBe(0);
    expect(await lazy.list('s3://b/m')).toEqual(['1']);
    expect(await lazy.exists('s3://b/m')).toBe(true);
    expect(await lazy.readText('s3://b/c.json')).toBe('text');
    expect(await lazy.fingerprint?.('s3://b/m/1')).toBe('sig');
    expect(await lazy.download('s3://b/m/1', '/tmp/x')).toBe('/tmp/x');
    expect(loads).toBe(1);
    expect(calls).toEqual([
      'list s3://b/m',
      'exists s3://b/m',
      'readText s3://b/c.json',
      'fingerprint s3://b/m/1',
      'download s3://b/m/1 /tmp/x',
    ]);
  });

  it('reports a failed load as PATH_SCHEME_UNSUPPORTED naming the scheme, and tries again next call', async () => {
    let loads = 0;
    const lazy = createLazyBackend(['gs'], () => {
      loads += 1;
      if (loads === 1)
        return Promise.reject(new Error("Cannot find package '@google-cloud/storage'"));
      return Promise.resolve(fakeBackend(['gs'], []));
    });
    await expect(lazy.list('gs://b/m')).rejects.toMatchObject({
      code: 'PATH_SCHEME_UNSUPPORTED',
      message: expect.stringMatching(
        /"gs:\/\/".*Cannot find package '@google-cloud\/storage'/,
      ) as unknown,
    });
    expect(await lazy.list('gs://b/m')).toEqual(['1']);
    expect(loads).toBe(2);
  });

  it('refuses a loaded backend that does not serve the promised schemes', async () => {
    const lazy = createLazyBackend(['az', 'azfs'], () => Promise.resolve(fakeBackend(['az'], [])));
    await expect(lazy.exists('azfs://a/b')).rejects.toMatchObject({
      code: 'PATH_SCHEME_UNSUPPORTED',
      message: expect.stringContaining('it does not serve "azfs://"') as unknown,
    });
  });

  it('fails fingerprint with INTERNAL_ERROR when the loaded backend has none', async () => {
    const full = fakeBackend(['mem'], []);
    const withoutFingerprint: StorageBackend = {
      schemes: full.schemes,
      list: (uri) => full.list(uri),
      exists: (uri) => full.exists(uri),
      readText: (uri) => full.readText(uri),
      download: (uri, localDir) => full.download(uri, localDir),
    };
    const lazy = createLazyBackend(['mem'], () => Promise.resolve(withoutFingerprint));
    await expect(lazy.fingerprint?.('mem://m/1')).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
    });
  });
});
