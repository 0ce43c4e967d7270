import type { Logger } from '@ovms/core';
import type { RetryOptions } from '@ovms/storage';

/**
 * Typed options of the Azure backend. Libraries take no environment: the app maps OVMS's
 * variable with `azureOptionsFromEnv`. The connection string names the account, its key (or
 * SAS) and the Blob and File endpoints; `az://` needs a BlobEndpoint (or the account's default
 * endpoints), `azfs://` a FileEndpoint.
 */
export interface AzureBackendOptions {
  readonly connectionString?: string;
  readonly logger?: Logger;
  readonly retry?: RetryOptions;
  /** Objects downloaded at once within a version (default 4). */
  readonly concurrency?: number;
  /** Entries per listing page (default 5000, the service's maximum). */
  readonly pageSize?: number;
}

/**
 * Maps the Azure environment (SPEC "Cloud storage") to backend options:
 * `AZURE_STORAGE_CONNECTION_STRING`. An empty value counts as unset.
 */
export function azureOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AzureBackendOptions {
  const connectionString = env['AZURE_STORAGE_CONNECTION_STRING']?.trim();
  return connectionString === undefined || connectionString === '' ? {} : { connectionString };
}
