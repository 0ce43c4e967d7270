import { S3Client } from '@aws-sdk/client-s3';
import {
  MINIO_ACCESS_KEY,
  MINIO_SECRET_KEY,
  startMinio as start,
} from '@ovms/storage/test-support';

export { freePort } from '@ovms/storage/test-support';

// The SDK warns once per process that Node 20 support ends in 2027: true, and noise in test logs.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export const ACCESS_KEY = MINIO_ACCESS_KEY;
export const SECRET_KEY = MINIO_SECRET_KEY;

/** A MinIO server of the tests' own, on 127.0.0.1 and a free port, with a throwaway data dir. */
export interface MinioServer {
  readonly endpoint: string;
  readonly port: number;
  /** An admin client for arranging fixtures (uploads, deletes) beside the backend under test. */
  readonly admin: S3Client;
  stop(): Promise<void>;
}

/** Starts MinIO (a missing binary fails the suite) with an admin client beside it. */
export async function startMinio(): Promise<MinioServer> {
  const server = await start();
  const admin = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  return {
    endpoint: server.endpoint,
    port: server.port,
    admin,
    stop: async () => {
      admin.destroy();
      await server.stop();
    },
  };
}
