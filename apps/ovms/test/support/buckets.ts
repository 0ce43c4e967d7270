import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  MINIO_ACCESS_KEY,
  MINIO_SECRET_KEY,
  azuriteConnectionString,
  startAzurite,
  startGcsEmulator,
  startMinio,
} from '@ovms/storage/test-support';
import type { Emulator } from '@ovms/storage/test-support';

// The SDK warns once per process that Node 20 support ends in 2027: true, and noise in test logs.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const AZURITE_BIN = fileURLToPath(new URL('../../node_modules/.bin/azurite-blob', import.meta.url));

/** A real storage server with one bucket, and the environment that points ovms at it. */
export interface TestBucket {
  /** `s3://models`, `gs://models`, `az://models`. */
  readonly root: string;
  /** OVMS's variables for this store (SPEC "Cloud storage"). */
  readonly env: Record<string, string>;
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Uploads every file under `dir` below `prefix`. */
  putDir(dir: string, prefix: string): Promise<void>;
  stop(): Promise<void>;
}

export type BucketKind = 's3' | 'gs' | 'az';

/** Starts the emulator of `kind` and creates the bucket (or container) `models` in it. */
export async function startTestBucket(kind: BucketKind): Promise<TestBucket> {
  const emulator = await (kind === 's3'
    ? startMinio()
    : kind === 'gs'
      ? startGcsEmulator()
      : startAzurite(AZURITE_BIN));
  try {
    const store = await (kind === 's3' ? s3 : kind === 'gs' ? gcs : azure)(emulator);
    return {
      root: `${kind}://models`,
      ...store,
      async putDir(dir, prefix) {
        for (const file of await filesUnder(dir))
          await store.put(`${prefix}/${relative(dir, file)}`, await readFile(file));
      },
      async stop() {
        store.close();
        await emulator.stop();
      },
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

interface Store {
  readonly env: Record<string, string>;
  put(key: string, body: Uint8Array | string): Promise<void>;
  close(): void;
}

async function s3(emulator: Emulator): Promise<Store> {
  const credentials = { accessKeyId: MINIO_ACCESS_KEY, secretAccessKey: MINIO_SECRET_KEY };
  const client = new S3Client({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: 'models' }));
  return {
    env: {
      S3_ENDPOINT: emulator.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    put: async (key, body) => {
      await client.send(new PutObjectCommand({ Bucket: 'models', Key: key, Body: body }));
    },
    close: () => client.destroy(),
  };
}

async function gcs(emulator: Emulator): Promise<Store> {
  // fake-gcs-server checks no credentials: its JSON API is plain HTTP.
  const created = await fetch(`${emulator.endpoint}/storage/v1/b?project=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'models' }),
  });
  if (!created.ok) throw new Error(`creating the GCS bucket failed: ${created.status}`);
  return {
    env: { STORAGE_EMULATOR_HOST: emulator.endpoint },
    put: async (key, body) => {
      const url = `${emulator.endpoint}/upload/storage/v1/b/models/o?uploadType=media&name=${encodeURIComponent(key)}`;
      const response = await fetch(url, { method: 'POST', body });
      if (!response.ok) throw new Error(`uploading ${key} failed: ${response.status}`);
    },
    close: () => {},
  };
}

async function azure(emulator: Emulator): Promise<Store> {
  const connectionString = azuriteConnectionString(emulator.endpoint);
  const container =
    BlobServiceClient.fromConnectionString(connectionString).getContainerClient('models');
  await container.create();
  return {
    env: { AZURE_STORAGE_CONNECTION_STRING: connectionString },
    put: async (key, body) => {
      await container.getBlockBlobClient(key).uploadData(Buffer.from(body));
    },
    close: () => {},
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
