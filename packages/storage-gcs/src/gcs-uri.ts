import { ServingError, StatusCode } from '@ovms/core';

/** A `gs://bucket/key` location; `key` has no leading `/` and is "" for the bucket itself. */
export interface GcsLocation {
  readonly bucket: string;
  readonly key: string;
}

/**
 * Splits `gs://bucket/models/m/1` into bucket and key. The scheme is case-insensitive (the
 * StorageRegistry lower-cases it); a missing bucket is PATH_INVALID naming the URI.
 */
export function parseGcsUri(uri: string): GcsLocation {
  const match = /^gs:\/\/([^/]*)\/*(.*)$/is.exec(uri);
  const bucket = match?.[1] ?? '';
  if (!match || bucket === '')
    throw new ServingError(StatusCode.PATH_INVALID, `not a gs://bucket/path URI: ${uri}`);
  return { bucket, key: match[2] ?? '' };
}

export function formatGcsUri(bucket: string, key: string): string {
  return key === '' ? `gs://${bucket}` : `gs://${bucket}/${key}`;
}

/** The prefix naming everything "inside" `key` as a directory: "" or "a/b/". */
export function dirPrefix(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}
