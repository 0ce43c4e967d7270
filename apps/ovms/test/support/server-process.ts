import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@ovms/storage/test-support';
import { MAIN_TS, PROJECT_ROOT } from './paths.js';

/** The `ovms` command running from source as a child process, REST on 127.0.0.1. */
export interface ServerProcess {
  readonly restUrl: string;
  /** The server's process id (its RSS is read from /proc by the limits test). */
  readonly pid: number | undefined;
  /** Everything it logged so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts ovms with `args` (plus REST on a free port, gRPC off) and `env` added to this one's. */
export async function startServerProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...['--conditions=@ovms/source', '--import', 'tsx', MAIN_TS],
      ...['--port', '0', '--rest_port', String(port), '--rest_bind_address', '127.0.0.1'],
      ...args,
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    restUrl: `http://127.0.0.1:${port}`,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killed = sleep(20_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, killed]);
    },
  };
}

/** Polls `check` until it holds (at most `timeoutMs`), failing with `describe()` otherwise. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms:\n${describe()}`);
    await sleep(200);
  }
}
