import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTied } from './tied-process.js';

const BINARY = fileURLToPath(new URL('../../../.cache/bin/fake-gcs-server', import.meta.url));

/** A fake-gcs-server started for one suite, on 127.0.0.1 and a free port, in memory. */
export interface GcsEmulator {
  readonly endpoint: string;
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

/**
 * Starts fake-gcs-server and waits (at most 30 s) until it answers. A missing binary fails
 * the suite, naming the script that installs it: the tests never skip silently.
 */
export async function startGcsEmulator(): Promise<GcsEmulator> {
  if (!existsSync(BINARY))
    throw new Error(
      `fake-gcs-server not found at ${BINARY}; run scripts/ensure-gcs-emulator.sh to install it`,
    );
  const port = await freePort();
  const child: ChildProcess = spawnTied(BINARY, [
    '-scheme',
    'http',
    '-host',
    '127.0.0.1',
    '-port',
    String(port),
    '-backend',
    'memory',
    '-log-level',
    'error',
  ]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/storage/v1/b`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`fake-gcs-server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
