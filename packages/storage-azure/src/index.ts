export { AzureStorageBackend, azureFingerprint, createAzureBackend } from './azure-backend.js';
export { azureOptionsFromEnv } from './azure-options.js';
export type { AzureBackendOptions } from './azure-options.js';
export type { RetryOptions as AzureRetryOptions } from './retry.js';
export { formatAzureUri, parseAzureUri } from './azure-uri.js';
export type { AzureLocation, AzureService } from './azure-uri.js';
export { removeLocalCopy } from './local-copy.js';
export { PROGRESS_MIN_BYTES } from './file-download.js';
