import type { StorageBackend } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { parseModelUri, joinUri } from './model-uri.js';
import { createLocalBackend } from './local-backend.js';
import { StorageRegistry } from './storage-registry.js';

function fakeBackend(...schemes: string[]): StorageBackend {
  const none = () => Promise.reject(new Error('not used'));
  return { schemes, list: none, exists: none, readText: none, download: none };
}

describe('parseModelUri', () => {
  it.each([
    ['/models/resnet', { scheme: '', path: '/models/resnet' }],
    ['models/resnet', { scheme: '', path: 'models/resnet' }],
    ['s3://bucket/models/m', { scheme: 's3', path: 'bucket/models/m' }],
    ['GS://bucket/m', { scheme: 'gs', path: 'bucket/m' }],
    ['azfs://share/dir', { scheme: 'azfs', path: 'share/dir' }],
    ['C:\\models\\m', { scheme: '', path: 'C:\\models\\m' }],
  ])('%s', (uri, expected) => {
    expect(parseModelUri(uri)).toEqual(expected);
  });

  it('joins with exactly one slash', () => {
    expect(joinUri('s3://b/m/', '1')).toBe('s3://b/m/1');
    expect(joinUri('/m', '1')).toBe('/m/1');
  });
});

describe('StorageRegistry', () => {
  it('resolves backends by scheme, local paths by ""', () => {
    const registry = new StorageRegistry();
    const local = createLocalBackend();
    const azure = fakeBackend('az', 'azfs');
    registry.register(local);
    registry.register(azure);
    expect(registry.resolve('/models/m')).toBe(local);
    expect(registry.resolve('az://c/m')).toBe(azure);
    expect(registry.resolve('AZFS://share/m')).toBe(azure);
    expect(registry.schemes()).toEqual(['', 'az', 'azfs']);
  });

  it('refuses an unknown scheme, naming it and the registered ones (PATH_SCHEME_UNSUPPORTED)', () => {
    const registry = new StorageRegistry();
    registry.register(createLocalBackend());
    registry.register(fakeBackend('s3'));
    expect(() => registry.resolve('gs://bucket/m')).toThrow(
      expect.objectContaining({
        code: 'PATH_SCHEME_UNSUPPORTED',
        message:
          'No storage backend serves the URI scheme - no storage backend for scheme "gs://" (in gs://bucket/m); registered: local paths, "s3://"',
      }) as Error,
    );
    expect(() => new StorageRegistry().resolve('/m')).toThrow(
      'No storage backend serves the URI scheme - no storage backend for scheme local paths (in /m); registered: none',
    );
  });

  it('refuses a second backend for one scheme', () => {
    const registry = new StorageRegistry();
    registry.register(fakeBackend('s3'));
    expect(() => registry.register(fakeBackend('S3'))).toThrow(
      'a storage backend for scheme "s3://" is already registered',
    );
  });
});
