import { createHash } from 'node:crypto';
import type { ExpectedDigest } from './remote-tree.js';

export interface Md5DigestOptions {
  /** How the service writes the checksum: base64 (Content-MD5, GCS md5Hash) or hex (S3 ETag). */
  readonly encoding?: 'base64' | 'hex';
  /** Its name in messages; "MD5" by default ("Content-MD5" on Azure). */
  readonly algorithm?: string;
  /** Where the expected value was found, for messages ("ETag"). */
  readonly source?: string;
}

/** An MD5 a service published for an object, checked against the received bytes. */
export function md5Digest(expected: string, options: Md5DigestOptions = {}): ExpectedDigest {
  const encoding = options.encoding ?? 'base64';
  return {
    algorithm: options.algorithm ?? 'MD5',
    expected,
    ...(options.source !== undefined && { source: options.source }),
    create: () => {
      const hash = createHash('md5');
      return { update: (chunk) => hash.update(chunk), digest: () => hash.digest(encoding) };
    },
  };
}
