import type { Logger } from '@ovms/core';
import type { RetryOptions } from '@ovms/storage';

/**
 * Typed options of the S3 backend. Libraries take no environment: the app maps OVMS's
 * variables with `s3OptionsFromEnv`. Without `accessKeyId` the SDK's default credential chain
 * applies (profiles, instance roles).
 */
export interface S3BackendOptions {
  readonly region?: string;
  /** An S3-compatible endpoint (MinIO…), e.g. `http://127.0.0.1:9000`. */
  readonly endpoint?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key`; MinIO needs it. */
  readonly forcePathStyle?: boolean;
  readonly logger?: Logger;
  readonly retry?: RetryOptions;
  /** Objects downloaded at once within a version (default 4). */
  readonly concurrency?: number;
  /** Socket connect timeout (default 5 s): a silent endpoint fails instead of hanging. */
  readonly connectTimeoutMs?: number;
  /** Time a response may stay silent before the request fails (default 60 s). */
  readonly idleTimeoutMs?: number;
}

/** AWS's default region; S3-compatible stores accept any, and signing needs one. */
export const DEFAULT_REGION = 'us-east-1';

/**
 * Maps OVMS's S3 environment (SPEC "Cloud storage") to backend options: `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` and `S3_ENDPOINT`. As in OVMS, an
 * endpoint implies path-style addressing and plain HTTP when it names no scheme
 * (`minio:9000` → `http://minio:9000`). Empty values count as unset.
 */
export function s3OptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): S3BackendOptions {
  const value = (name: string): string | undefined => {
    const found = env[name]?.trim();
    return found === undefined || found === '' ? undefined : found;
  };
  const endpoint = value('S3_ENDPOINT');
  const accessKeyId = value('AWS_ACCESS_KEY_ID');
  const secretAccessKey = value('AWS_SECRET_ACCESS_KEY');
  const sessionToken = value('AWS_SESSION_TOKEN');
  return {
    region: value('AWS_REGION') ?? DEFAULT_REGION,
    ...(endpoint !== undefined && {
      endpoint: /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`,
      forcePathStyle: true,
    }),
    // Keys count only in pairs, as OVMS reads them; a lone one would sign with garbage.
    ...(accessKeyId !== undefined &&
      secretAccessKey !== undefined && {
        accessKeyId,
        secretAccessKey,
        ...(sessionToken !== undefined && { sessionToken }),
      }),
  };
}
