import { describe, expect, it } from 'vitest';
import { parseGcsUri } from './gcs-uri.js';

describe('parseGcsUri', () => {
  it('splits bucket and key', () => {
    expect(parseGcsUri('gs://b/models/m/1')).toEqual({ bucket: 'b', key: 'models/m/1' });
    expect(parseGcsUri('GS://b')).toEqual({ bucket: 'b', key: '' });
    expect(parseGcsUri('gs://b//x/')).toEqual({ bucket: 'b', key: 'x/' });
  });

  it('refuses a URI without a bucket', () => {
    expect(() => parseGcsUri('gs:///x')).toThrow(
      "The provided base path is invalid or doesn't exists - not a gs://bucket/path URI: gs:///x",
    );
    expect(() => parseGcsUri('s3://b/x')).toThrow('not a gs://bucket/path URI');
  });
});
