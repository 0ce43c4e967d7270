export { AzureStorageBackend, createAzureBackend } from './azure-backend.js';
export { azureOptionsFromEnv } from './azure-options.js';
export type { AzureBackendOptions } from './azure-options.js';
export { formatAzureUri, parseAzureUri } from './azure-uri.js';
export type { AzureLocation, AzureService } from './azure-uri.js';
