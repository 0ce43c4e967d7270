export { createGcsBackend } from './gcs-backend.js';
export { gcsOptionsFromEnv } from './gcs-options.js';
export type { GcsBackendOptions } from './gcs-options.js';
