import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// Below Linux's ephemeral range (32768-60999): the kernel never hands these out to outgoing
// connections or port-0 listeners, so between the probe and the server's own bind the port can
// only be taken by another test that drew the same random number.
const UNASSIGNED_PORTS = { first: 12_000, count: 20_000 };

/** A port nobody listens on right now (bound, then released), outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = UNASSIGNED_PORTS.first + Math.floor(Math.random() * UNASSIGNED_PORTS.count);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port after 100 tries');
}

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Runs the command in the background and waits while both it and the test process live; on
// TERM (stop) or when the test process is gone (a worker killed by a timeout never reaches
// afterAll), it takes the command down with it, so no emulator outlives its suite.
const WATCHDOG = `
"$@" & child=$!
trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 "$OWNER_PID" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
kill $child 2>/dev/null; wait $child
`;

/** A server process of a test suite, stopped by the suite (or with the test process). */
export interface TiedProcess {
  readonly child: ChildProcess;
  /** What it wrote to stderr so far, for error messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns `command` tied to this process's lifetime; `env` is added to this process's. */
export function spawnTied(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): TiedProcess {
  const child = spawn('sh', ['-c', WATCHDOG, 'watchdog', command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env, OWNER_PID: String(process.pid) },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Waits (at most 30 s) until `probe` resolves true: the server answers. Fails naming the server
 * and its stderr when it exits or never answers, and then stops it.
 */
export async function waitUntilReady(
  name: string,
  server: TiedProcess,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.child.exitCode !== null)
      throw new Error(`${name} exited before it was ready: ${server.stderr()}`);
    try {
      if (await probe()) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not answer within 30 s: ${server.stderr()}`);
    }
    await sleep(100);
  }
}
