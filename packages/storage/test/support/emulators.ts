import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnTied, waitUntilReady } from './processes.js';

const CACHE_BIN = fileURLToPath(new URL('../../../../.cache/bin/', import.meta.url));
const ping = (url: string) => fetch(url, { signal: AbortSignal.timeout(1_000) });

/** A storage emulator started for one suite, on 127.0.0.1 and a free port. */
export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** MinIO's root user of the tests' servers. */
export const MINIO_ACCESS_KEY = 'ovms-test';
export const MINIO_SECRET_KEY = 'ovms-test-secret';

/**
 * Starts MinIO (`.cache/bin/minio`, from scripts/ensure-s3-server.sh) with a throwaway data
 * dir. A missing binary fails the suite: the tests never skip silently.
 */
export async function startMinio(): Promise<Emulator> {
  const binary = join(CACHE_BIN, 'minio');
  if (!existsSync(binary))
    throw new Error(
      `MinIO not found at ${binary}: run scripts/ensure-s3-server.sh (the S3 tests need a real S3 server)`,
    );
  const [port, consolePort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'ovms-minio-'));
  const address = (p: number) => `127.0.0.1:${p}`;
  const server = spawnTied(
    binary,
    [
      'server',
      '--quiet',
      '--address',
      address(port),
      '--console-address',
      address(consolePort),
    ].concat(dataDir),
    {
      HOME: dataDir,
      MINIO_ROOT_USER: MINIO_ACCESS_KEY,
      MINIO_ROOT_PASSWORD: MINIO_SECRET_KEY,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_CI_CD: '1',
    },
  );
  const endpoint = `http://${address(port)}`;
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(
      'MinIO',
      server,
      async () => (await ping(`${endpoint}/minio/health/live`)).ok,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}

/** Starts fake-gcs-server (`.cache/bin`, from scripts/ensure-gcs-emulator.sh), in memory. */
export async function startGcsEmulator(): Promise<Emulator> {
  const binary = join(CACHE_BIN, 'fake-gcs-server');
  if (!existsSync(binary))
    throw new Error(
      `fake-gcs-server not found at ${binary}; run scripts/ensure-gcs-emulator.sh to install it`,
    );
  const port = await freePort();
  const server = spawnTied(binary, [
    ...['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port)],
    ...['-backend', 'memory', '-log-level', 'error'],
  ]);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(
    'fake-gcs-server',
    server,
    async () => (await ping(`${endpoint}/storage/v1/b`)).ok,
  );
  return { endpoint, port, stop: () => server.stop() };
}

/** Azurite's well-known development account (documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The connection string of Azurite's development account on `blobEndpoint`. */
export function azuriteConnectionString(blobEndpoint: string, key = AZURITE_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};BlobEndpoint=${blobEndpoint};`;
}

/**
 * Starts Azurite's Blob service from `binary` (the caller's `node_modules/.bin/azurite-blob`:
 * each package that runs it depends on azurite). `endpoint` includes the account.
 */
export async function startAzurite(binary: string): Promise<Emulator> {
  if (!existsSync(binary))
    throw new Error(
      `azurite-blob not found at ${binary}; run pnpm install (azurite is a devDependency)`,
    );
  const port = await freePort();
  const location = await mkdtemp(join(tmpdir(), 'ovms-azurite-'));
  const server = spawnTied(binary, [
    ...['--blobHost', '127.0.0.1', '--blobPort', String(port)],
    ...['--location', location, '--silent', '--skipApiVersionCheck'],
  ]);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  // Any answer (403 without a key) means it is up.
  await waitUntilReady(
    'azurite-blob',
    server,
    async () => (await ping(`${endpoint}?comp=list`), true),
  );
  return {
    endpoint,
    port,
    async stop() {
      await server.stop();
      await rm(location, { recursive: true, force: true });
    },
  };
}
