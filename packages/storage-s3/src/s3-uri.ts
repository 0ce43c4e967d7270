import { ServingError, StatusCode } from '@ovms/core';

/** An `s3://bucket/key` location: the key has no leading or trailing slash ("" = bucket root). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const S3_URI = /^s3:\/\/([^/]*)\/*(.*)$/is;

/**
 * Splits `s3://bucket/models/m/1/` into `{ bucket: 'bucket', key: 'models/m/1' }`. Keys with a
 * `..` segment are refused, as OVMS refuses escaping paths: they would otherwise let a listing
 * name files outside the download directory.
 */
export function parseS3Uri(uri: string): S3Location {
  const match = S3_URI.exec(uri);
  const bucket = match?.[1] ?? '';
  if (!match || bucket === '')
    throw new ServingError(StatusCode.PATH_INVALID, `no bucket name in ${uri}`);
  const key = (match[2] ?? '').replace(/\/+$/, '');
  if (key.split('/').includes('..'))
    throw new ServingError(StatusCode.PATH_INVALID, `path escape with .. is forbidden: ${uri}`);
  return { bucket, key };
}

/** The listing prefix of a "directory": the key with one trailing slash, "" at the root. */
export function dirPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}

export function formatS3Uri(bucket: string, key = ''): string {
  return key === '' ? `s3://${bucket}` : `s3://${bucket}/${key}`;
}
