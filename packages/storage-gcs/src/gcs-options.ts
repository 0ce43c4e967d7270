import type { Logger } from '@ovms/core';
import type { RetryOptions } from '@ovms/storage';

/**
 * Typed options of the GCS backend. Libraries take no environment: the app maps OVMS's
 * variables with `gcsOptionsFromEnv`. Without `keyFilename` the SDK's default credential chain
 * applies (metadata server, gcloud's application default credentials).
 */
export interface GcsBackendOptions {
  readonly projectId?: string;
  /** A service account key file (GOOGLE_APPLICATION_CREDENTIALS). */
  readonly keyFilename?: string;
  /** Another endpoint (an emulator), e.g. `http://127.0.0.1:4443`. */
  readonly apiEndpoint?: string;
  /** Send no credentials to `apiEndpoint` (emulators check none). */
  readonly anonymous?: boolean;
  readonly logger?: Logger;
  readonly retry?: RetryOptions;
  /** Objects downloaded at once within a version (default 4). */
  readonly concurrency?: number;
  /** Entries per listing page (default 1000, the service's maximum). */
  readonly pageSize?: number;
  /** Time one HTTP request may take before it fails and is retried (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Maps the GCS environment (SPEC "Cloud storage") to backend options:
 * `GOOGLE_APPLICATION_CREDENTIALS` (key file), `GOOGLE_CLOUD_PROJECT`, and
 * `STORAGE_EMULATOR_HOST`, the emulator variable the SDK honours, which implies anonymous
 * access and plain HTTP when it names no scheme (`localhost:4443` → `http://localhost:4443`); a
 * trailing `/storage/v1` (the JSON API path some clients expect in it) is dropped.
 * Empty values count as unset.
 */
export function gcsOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): GcsBackendOptions {
  const value = (name: string): string | undefined => {
    const found = env[name]?.trim();
    return found === undefined || found === '' ? undefined : found;
  };
  const emulator = value('STORAGE_EMULATOR_HOST');
  const keyFilename = value('GOOGLE_APPLICATION_CREDENTIALS');
  const projectId = value('GOOGLE_CLOUD_PROJECT') ?? value('GCLOUD_PROJECT');
  return {
    ...(emulator !== undefined && {
      apiEndpoint: (/^[a-z][a-z0-9+.-]*:\/\//i.test(emulator) ? emulator : `http://${emulator}`)
        .replace(/\/+$/, '')
        .replace(/\/storage\/v1$/, ''),
      anonymous: true,
    }),
    ...(keyFilename !== undefined && { keyFilename }),
    ...(projectId !== undefined && { projectId }),
  };
}
