export { createAzureBackend } from './azure-backend.js';
export { azureOptionsFromEnv } from './azure-options.js';
export type { AzureBackendOptions } from './azure-options.js';
