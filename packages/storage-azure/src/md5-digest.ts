import { createHash } from 'node:crypto';
import type { ExpectedDigest } from './remote-tree.js';

/** The Content-MD5 Azure stores for an object (base64), checked against the received bytes. */
export function md5Digest(expected: string): ExpectedDigest {
  return {
    algorithm: 'Content-MD5',
    expected,
    create: () => {
      const hash = createHash('md5');
      return { update: (chunk) => hash.update(chunk), digest: () => hash.digest('base64') };
    },
  };
}
