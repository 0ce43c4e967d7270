export { GcsStorageBackend, createGcsBackend } from './gcs-backend.js';
export { gcsOptionsFromEnv } from './gcs-options.js';
export type { GcsBackendOptions } from './gcs-options.js';
export { formatGcsUri, parseGcsUri } from './gcs-uri.js';
export type { GcsLocation } from './gcs-uri.js';
