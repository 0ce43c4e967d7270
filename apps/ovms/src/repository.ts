import { silentLogger } from '@ovms/core';
import type { Logger } from '@ovms/core';
import { StorageRegistry, createLazyBackend, createLocalBackend } from '@ovms/storage';
import type { AzureBackendOptions } from '@ovms/storage-azure';
import type { GcsBackendOptions } from '@ovms/storage-gcs';
import type { S3BackendOptions } from '@ovms/storage-s3';

/** Settings of the cloud backends: read from `env` as OVMS does, then the explicit ones. */
export interface StorageOptions {
  /** Where S3_ENDPOINT, AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_* … are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly s3?: S3BackendOptions;
  readonly gcs?: GcsBackendOptions;
  readonly azure?: AzureBackendOptions;
  readonly logger?: Logger;
}

/**
 * The storage backends this server registers: local paths (and NFS mounts), `s3://`, `gs://`,
 * `az://` and `azfs://`. Each cloud package (and its SDK) is imported on the first request for
 * its scheme: a server that serves local models never holds the SDKs in its heap, which every
 * full garbage collection would mark again (docs/performance.md). Cloud clients connect on
 * first use too, so a server without cloud settings fails only the models that name a bucket.
 */
export function createStorageRegistry(options: StorageOptions = {}): StorageRegistry {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? {};
  const registry = new StorageRegistry();
  registry.register(createLocalBackend());
  registry.register(
    createLazyBackend(['s3'], async () => {
      const s3 = await import('@ovms/storage-s3');
      return s3.createS3Backend({ logger, ...s3.s3OptionsFromEnv(env), ...options.s3 });
    }),
  );
  registry.register(
    createLazyBackend(['gs'], async () => {
      const gcs = await import('@ovms/storage-gcs');
      return gcs.createGcsBackend({ logger, ...gcs.gcsOptionsFromEnv(env), ...options.gcs });
    }),
  );
  registry.register(
    createLazyBackend(['az', 'azfs'], async () => {
      const azure = await import('@ovms/storage-azure');
      return azure.createAzureBackend({
        logger,
        ...azure.azureOptionsFromEnv(env),
        ...options.azure,
      });
    }),
  );
  return registry;
}
