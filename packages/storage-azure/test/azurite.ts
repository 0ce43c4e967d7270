import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTied } from './tied-process.js';

const BINARY = fileURLToPath(new URL('../node_modules/.bin/azurite-blob', import.meta.url));

/** Azurite's well-known development account (documented, not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's Blob service started for one suite, on 127.0.0.1 and a free port. */
export interface Azurite {
  readonly blobEndpoint: string;
  connectionString(key?: string): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function connectionStringFor(blobEndpoint: string, key = DEV_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${key};BlobEndpoint=${blobEndpoint};`;
}

/**
 * Starts azurite-blob (from the azurite devDependency) and waits (at most 30 s) until it
 * answers. A missing binary fails the suite: the tests never skip silently.
 */
export async function startAzurite(): Promise<Azurite> {
  if (!existsSync(BINARY))
    throw new Error(
      `azurite-blob not found at ${BINARY}; run pnpm install (azurite is a devDependency)`,
    );
  const port = await freePort();
  const location = await mkdtemp(join(tmpdir(), 'ovms-azurite-'));
  const child: ChildProcess = spawnTied(BINARY, [
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(port),
    '--location',
    location,
    '--silent',
    '--skipApiVersionCheck',
  ]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const blobEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`azurite-blob exited: ${stderr}`);
    try {
      await fetch(`${blobEndpoint}?comp=list`); // any answer (403 without a key) means it is up
      break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`azurite-blob did not answer on ${blobEndpoint} within 30 s: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    blobEndpoint,
    connectionString: (key) => connectionStringFor(blobEndpoint, key),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(location, { recursive: true, force: true });
    },
  };
}
