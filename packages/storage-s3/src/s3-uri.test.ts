import { describe, expect, it } from 'vitest';
import { dirPrefix, formatS3Uri, parseS3Uri } from './s3-uri.js';

describe('parseS3Uri', () => {
  it('splits bucket and key, without slashes at the key ends', () => {
    expect(parseS3Uri('s3://models/resnet/1/')).toEqual({ bucket: 'models', key: 'resnet/1' });
    expect(parseS3Uri('S3://models//resnet')).toEqual({ bucket: 'models', key: 'resnet' });
    expect(parseS3Uri('s3://models')).toEqual({ bucket: 'models', key: '' });
    expect(parseS3Uri('s3://models/')).toEqual({ bucket: 'models', key: '' });
  });

  it('refuses a URI without a bucket, or escaping with ..', () => {
    expect(() => parseS3Uri('s3:///resnet')).toThrow(
      "The provided base path is invalid or doesn't exists - no bucket name in s3:///resnet",
    );
    expect(() => parseS3Uri('s3://models/a/../../etc')).toThrow(
      'path escape with .. is forbidden: s3://models/a/../../etc',
    );
  });

  it('formats locations and directory prefixes', () => {
    expect(formatS3Uri('models', 'a/b')).toBe('s3://models/a/b');
    expect(formatS3Uri('models')).toBe('s3://models');
    expect(dirPrefix('a/b')).toBe('a/b/');
    expect(dirPrefix('')).toBe('');
  });
});
