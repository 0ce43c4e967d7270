import { describe, expect, it } from 'vitest';
import { formatAzureUri, parseAzureUri } from './azure-uri.js';

describe('parseAzureUri', () => {
  it('tells blobs (az://) from file shares (azfs://)', () => {
    expect(parseAzureUri('az://models/resnet/1')).toEqual({
      service: 'blob',
      container: 'models',
      path: 'resnet/1',
    });
    expect(parseAzureUri('AZFS://share/a/b/')).toEqual({
      service: 'share',
      container: 'share',
      path: 'a/b/',
    });
    expect(parseAzureUri('azfs://share')).toEqual({
      service: 'share',
      container: 'share',
      path: '',
    });
    expect(formatAzureUri(parseAzureUri('azfs://share//a'))).toBe('azfs://share/a');
  });

  it('refuses URIs without a container or of another scheme', () => {
    expect(() => parseAzureUri('az:///x')).toThrow(
      "The provided base path is invalid or doesn't exists - not an az://container/path or azfs://share/path URI: az:///x",
    );
    expect(() => parseAzureUri('gs://b/x')).toThrow('not an az://container/path');
  });
});
