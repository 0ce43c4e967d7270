// The real server as a separate process (apps/ovms/src/main.ts from source, as `ovms` runs it
// after a build), on 127.0.0.1 and free ports, with its CPU time read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ServerProcess {
  readonly pid: number;
  readonly grpcPort: number;
  readonly restPort: number;
  /** User + system CPU time of the whole server process so far, in microseconds. */
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

export interface StartServerProcessOptions {
  readonly configPath: string;
  readonly modelNames: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /**
   * Run the built server (`apps/ovms/bin/ovms.js`, dist) as `ovms` does, instead of the source
   * through tsx, whose transpiled code (esbuild's `__name` wrappers) costs CPU of its own.
   */
  readonly built?: boolean;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  /** Another checkout to serve from (a baseline to compare with); this one when absent. */
  readonly projectRoot?: string;
  /** More `ovms` flags, e.g. `--grpc_workers 2`. */
  readonly args?: readonly string[];
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** User + system CPU time of one process (every thread) so far, in microseconds. */
export async function processCpuUs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

async function waitReady(
  child: ChildProcess,
  restPort: number,
  names: readonly string[],
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const name of names) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      if (Date.now() > deadline)
        throw new Error(`model ${name} not ready after ${READY_TIMEOUT_MS} ms`);
      const ok = await fetch(`http://127.0.0.1:${restPort}/v2/models/${name}/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) break;
      await sleep(200);
    }
  }
}

export async function startServerProcess(
  options: StartServerProcessOptions,
): Promise<ServerProcess> {
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  const args = [
    ...(options.nodeFlags ?? []),
    ...(options.built === true
      ? [join(options.projectRoot ?? PROJECT_ROOT, 'apps/ovms/bin/ovms.js')]
      : [
          '--conditions=@ovms/source',
          '--import',
          'tsx',
          join(options.projectRoot ?? PROJECT_ROOT, 'apps/ovms/src/main.ts'),
        ]),
    ...[
      '--config_path',
      options.configPath,
      '--port',
      String(grpcPort),
      '--rest_port',
      String(restPort),
    ],
    ...['--grpc_bind_address', '127.0.0.1', '--rest_bind_address', '127.0.0.1'],
    ...['--file_system_poll_wait_seconds', '0'],
    ...(options.args ?? []),
  ];
  // Logs (INFO, the default) go to the terminal's stderr, not into a pipe nobody drains.
  const child = spawn(process.execPath, args, {
    env: options.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReady(child, restPort, options.modelNames);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid ?? -1;
  return {
    pid,
    grpcPort,
    restPort,
    cpuUs: () => processCpuUs(pid),
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
