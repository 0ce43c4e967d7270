import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';

// The SDK warns once per process that Node 20 support ends in 2027: true, and noise in test logs.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const MINIO_BIN = join(REPO_ROOT, '.cache/bin/minio');
const READY_TIMEOUT_MS = 30_000;

export const ACCESS_KEY = 'ovms-test';
export const SECRET_KEY = 'ovms-test-secret';

/** A MinIO server of the tests' own, on 127.0.0.1 and a free port, with a throwaway data dir. */
export interface MinioServer {
  readonly endpoint: string;
  readonly port: number;
  /** An admin client for arranging fixtures (uploads, deletes) beside the backend under test. */
  readonly admin: S3Client;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it; closed again before returning). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts MinIO and waits (at most 30 s) for its liveness endpoint. A missing binary fails the
 * suite: CI must run these tests against the real server, never skip them.
 */
export async function startMinio(): Promise<MinioServer> {
  if (!existsSync(MINIO_BIN))
    throw new Error(
      `MinIO not found at ${MINIO_BIN}: run scripts/ensure-s3-server.sh (the S3 tests need a real S3 server)`,
    );
  const [port, consolePort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'ovms-minio-'));
  const child = spawn(
    MINIO_BIN,
    [
      'server',
      '--quiet',
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
      dataDir,
    ],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: dataDir,
        MINIO_ROOT_USER: ACCESS_KEY,
        MINIO_ROOT_PASSWORD: SECRET_KEY,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_CI_CD: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await kill(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitReady(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const admin = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  return {
    endpoint,
    port,
    admin,
    stop: async () => {
      admin.destroy();
      await stop();
    },
  };
}

async function waitReady(endpoint: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`MinIO exited with ${child.exitCode} before it was ready:\n${output()}`);
    try {
      const response = await fetch(`${endpoint}/minio/health/live`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`MinIO not ready at ${endpoint} after ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
