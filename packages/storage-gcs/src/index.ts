export { GcsStorageBackend, createGcsBackend, gcsFingerprint } from './gcs-backend.js';
export { gcsOptionsFromEnv } from './gcs-options.js';
export type { GcsBackendOptions } from './gcs-options.js';
export type { RetryOptions as GcsRetryOptions } from './retry.js';
export { formatGcsUri, parseGcsUri } from './gcs-uri.js';
export type { GcsLocation } from './gcs-uri.js';
export { removeLocalCopy } from './local-copy.js';
export { PROGRESS_MIN_BYTES } from './file-download.js';
