import { BlobServiceClient } from '@azure/storage-blob';
import { ShareServiceClient } from '@azure/storage-file-share';
import type { Logger } from '@ovms/core';
import { DEFAULT_RETRY, withRetry } from '@ovms/storage';
import type { RetryOptions } from '@ovms/storage';
import { ConnectionStringError, classifyAzureError } from './azure-errors.js';
import type { AzureBackendOptions } from './azure-options.js';
import { describeContainer, formatAzureUri } from './azure-uri.js';
import type { AzureLocation } from './azure-uri.js';

/** SDK retries are off: the bound and the backoff are ours, the same for Blob and Files. */
const PIPELINE = { retryOptions: { maxTries: 1 } };

/**
 * What every request of the backend shares: the clients (made on first use, so an app that
 * registers the backend without a connection string fails only for az:// models), the retry
 * policy and the logger.
 */
export class AzureContext {
  readonly retry: Required<RetryOptions>;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly #connectionString: string | undefined;
  #blob: BlobServiceClient | undefined;
  #share: ShareServiceClient | undefined;

  constructor(options: AzureBackendOptions, logger: Logger) {
    this.#connectionString = options.connectionString;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = logger;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.pageSize = Math.max(1, options.pageSize ?? 5000);
  }

  /** The Blob service client; a ConnectionStringError when the string cannot make one. */
  blob(): BlobServiceClient {
    this.#blob ??= this.#make('Blob', (s) => BlobServiceClient.fromConnectionString(s, PIPELINE));
    return this.#blob;
  }

  /** The File service client; a ConnectionStringError when the string cannot make one. */
  share(): ShareServiceClient {
    this.#share ??= this.#make('File', (s) => ShareServiceClient.fromConnectionString(s, PIPELINE));
    return this.#share;
  }

  /** For messages: the endpoint of the service `location` is on. */
  endpoint(location: AzureLocation): string {
    try {
      return location.service === 'blob' ? this.blob().url : this.share().url;
    } catch {
      return `the Azure ${location.service === 'blob' ? 'Blob' : 'File'} endpoint`;
    }
  }

  #make<T>(service: string, make: (connectionString: string) => T): T {
    if (this.#connectionString === undefined)
      throw new ConnectionStringError('AZURE_STORAGE_CONNECTION_STRING is not set');
    try {
      return make(this.#connectionString);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new ConnectionStringError(
        `the connection string has no usable ${service} endpoint or key: ${why}`,
        {
          cause: error,
        },
      );
    }
  }
}

export interface RequestScope {
  readonly location: AzureLocation;
  /** The location named in failures; the scope's own location by default. */
  readonly uri?: string;
  readonly signal?: AbortSignal | undefined;
  readonly downloading?: boolean;
}

/** One Azure request under the backend's retry policy, with failures named after the location. */
export function request<T>(
  context: AzureContext,
  scope: RequestScope,
  operation: () => Promise<T>,
): Promise<T> {
  return withRetry(operation, {
    uri: scope.uri ?? formatAzureUri(scope.location),
    container: describeContainer(scope.location),
    endpoint: context.endpoint(scope.location),
    credentialsHint:
      'AZURE_STORAGE_CONNECTION_STRING (account name and key or SAS) and the permissions',
    retry: context.retry,
    logger: context.logger,
    signal: scope.signal,
    downloading: scope.downloading,
    classify: classifyAzureError,
  });
}
