// Starts grpc-floor-server.ts as a process of its own, shaped like the real server's handle.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processCpuUs, type ServerProcess } from './server-process.js';

const READY_TIMEOUT_MS = 60_000;

export async function startGrpcFloor(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('grpc-floor-server.ts', import.meta.url));
  const child = fork(script, [], {
    execArgv: ['--conditions=@ovms/source', '--import', 'tsx'],
    env,
    stdio: 'inherit',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the gRPC floor server did not start')),
      READY_TIMEOUT_MS,
    );
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(Number(message));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gRPC floor server exited with ${code}`));
    });
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    grpcPort: port,
    restPort: -1,
    cpuUs: () => processCpuUs(pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
