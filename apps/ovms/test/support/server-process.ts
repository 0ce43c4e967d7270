import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@ovms/storage/test-support';
import { createGrpcClients, type GrpcClients } from './grpc.js';
import { MAIN_TS, PROJECT_ROOT } from './paths.js';
import { writeConfig } from './repository.js';

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
  return spawnOvms(['--port', '0', '--rest_port', String(port)], port, args, env);
}

/** A ServerProcess with gRPC on too. */
export interface GrpcServerProcess extends ServerProcess {
  /** `127.0.0.1:<port>` of gRPC. */
  readonly grpcAddress: string;
  /** `127.0.0.1:<port>` of REST. */
  readonly restAddress: string;
  /** Whether the process has ended (a start that failed ends it). */
  exited(): boolean;
}

/** Starts ovms with `args` (plus gRPC and REST on free ports of 127.0.0.1) and `env` added. */
export async function startGrpcServerProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<GrpcServerProcess> {
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  const ports = ['--port', String(grpcPort), '--grpc_bind_address', '127.0.0.1'];
  const server = spawnOvms([...ports, '--rest_port', String(restPort)], restPort, args, env);
  return {
    ...server,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    restAddress: `127.0.0.1:${restPort}`,
  };
}

function spawnOvms(
  ports: readonly string[],
  restPort: number,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): ServerProcess & { exited(): boolean } {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...['--conditions=@ovms/source', '--import', 'tsx', MAIN_TS],
      ...ports,
      ...['--rest_bind_address', '127.0.0.1'],
      ...args,
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    restUrl: `http://127.0.0.1:${restPort}`,
    pid: child.pid,
    output: () => output,
    exited: () => !running(),
    async stop() {
      if (running()) child.kill('SIGTERM');
      // SIGKILL after 20 s; the timer is cleared on exit, so a stopped server leaves none behind.
      let killer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        killer = setTimeout(() => resolve(void child.kill('SIGKILL')), 20_000);
      });
      await Promise.race([exited, killed]);
      clearTimeout(killer);
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

/**
 * The `ovms` command with gRPC and REST on, once it reports ready (every initial load tried,
 * failed ones included). A start that exits or is not ready within two minutes (a loaded CI
 * machine) fails with its log.
 */
export async function startReadyServer(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<GrpcServerProcess> {
  // A free port can still be taken between the probe and ovms's bind by a parallel test; that
  // start fails fast with EADDRINUSE and is retried on other ports, a bounded number of times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReadyServerOnce(args, env);
    } catch (error) {
      if (attempt === 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startReadyServerOnce(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<GrpcServerProcess> {
  const server = await startGrpcServerProcess(args, env);
  try {
    await eventually(
      async () =>
        server.exited() ||
        (await fetch(`${server.restUrl}/v2/health/ready`, { signal: AbortSignal.timeout(5_000) }))
          .ok,
      120_000,
      () => server.output(),
    );
    if (server.exited()) throw new Error(`ovms exited:\n${server.output()}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The `ovms` command serving a config of `models`, once ready, with gRPC clients to it. */
export interface ConfigServer {
  readonly server: GrpcServerProcess;
  readonly grpc: GrpcClients;
  stop(): Promise<void>;
}

/** Writes a config of `models` (with metrics on) to `configPath` and starts ovms on it. */
export async function startConfigServer(
  configPath: string,
  models: readonly object[],
  env: Readonly<Record<string, string>> = {},
): Promise<ConfigServer> {
  await writeConfig(configPath, models);
  const server = await startReadyServer(['--config_path', configPath], env);
  const grpc = createGrpcClients(server.grpcAddress);
  return {
    server,
    grpc,
    async stop() {
      grpc.close();
      await server.stop();
    },
  };
}
