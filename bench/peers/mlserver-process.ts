// The peer server: Seldon MLServer (installed by scripts/ensure-mlserver.sh) serving the same
// .onnx files with ONNX Runtime through the custom runtime beside this file, on 127.0.0.1 and
// free ports. It looks like the server bench's ServerProcess, so cells measure it the same way.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, processCpuUs, type ServerProcess } from '../server/server-process.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MLSERVER_VENV = join(PROJECT_ROOT, '.cache/python-mlserver');
const RUNTIME_DIR = fileURLToPath(new URL('.', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const POLL_MS = 250;

export interface StartMlserverOptions {
  /** Where settings.json, one folder per model and the log go. */
  readonly workDir: string;
  /** Served model name → .onnx file. */
  readonly models: Readonly<Record<string, string>>;
}

export interface MlserverProcess extends ServerProcess {
  readonly version: string;
}

/** Whether the venv is there (scripts/ensure-mlserver.sh ran and succeeded). */
export async function mlserverInstalled(): Promise<boolean> {
  return access(join(MLSERVER_VENV, 'bin/mlserver')).then(
    () => true,
    () => false,
  );
}

async function installedVersion(): Promise<string> {
  const marker = await readFile(join(MLSERVER_VENV, '.installed'), 'utf8').catch(() => '');
  return /mlserver==(\S+)/.exec(marker)?.[1] ?? 'unknown';
}

/**
 * CPU of a process and its descendants: MLServer runs inference in worker processes of its own
 * (parallel_workers, 1 by default), and their CPU is the serving CPU too.
 */
async function processTreeCpuUs(rootPid: number): Promise<number> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parentOf.set(Number(entry), ppid);
  }
  const tree = new Set([rootPid]);
  // Depth-bounded: MLServer's tree is two levels deep (main → workers).
  for (let depth = 0; depth < 4; depth++) {
    for (const [pid, ppid] of parentOf) if (tree.has(ppid)) tree.add(pid);
  }
  const cpu = await Promise.all([...tree].map((pid) => processCpuUs(pid).catch(() => 0)));
  return cpu.reduce((a, b) => a + b, 0);
}

async function writeModelRepository(
  options: StartMlserverOptions,
  ports: { http: number; grpc: number; metrics: number },
): Promise<void> {
  await mkdir(options.workDir, { recursive: true });
  const settings = {
    host: '127.0.0.1',
    http_port: ports.http,
    grpc_port: ports.grpc,
    metrics_port: ports.metrics,
    debug: false,
    // gRPC's 4 MB default refuses the det input (4.9 MB); ovms-ts takes up to 1 GB, as OVMS.
    grpc_max_message_length: 64 * 1024 * 1024,
  };
  // `mlserver start <dir>` reads <dir>/settings.json and finds model-settings.json below it.
  await mkdir(join(options.workDir, 'models'), { recursive: true });
  await writeFile(join(options.workDir, 'models', 'settings.json'), JSON.stringify(settings));
  for (const [name, file] of Object.entries(options.models)) {
    const dir = join(options.workDir, 'models', name);
    await mkdir(dir, { recursive: true });
    const modelSettings = {
      name,
      implementation: 'mlserver_onnx_runtime.OnnxRuntimeModel',
      parameters: { uri: file },
    };
    await writeFile(join(dir, 'model-settings.json'), JSON.stringify(modelSettings));
  }
}

async function waitReady(
  port: number,
  names: readonly string[],
  exited: () => boolean,
  log: string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const name of names) {
    for (;;) {
      if (exited()) throw new Error(`MLServer exited during start-up; see ${log}`);
      if (Date.now() > deadline)
        throw new Error(
          `MLServer model ${name} not ready after ${READY_TIMEOUT_MS} ms; see ${log}`,
        );
      const ok = await fetch(`http://127.0.0.1:${port}/v2/models/${name}/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) break;
      await sleep(POLL_MS);
    }
  }
}

export async function startMlserver(options: StartMlserverOptions): Promise<MlserverProcess> {
  const ports = { http: await freePort(), grpc: await freePort(), metrics: await freePort() };
  await writeModelRepository(options, ports);
  const log = join(options.workDir, 'mlserver.log');
  const out = createWriteStream(log);
  await new Promise((resolve) => out.once('open', resolve));
  const child = spawn(
    join(MLSERVER_VENV, 'bin/mlserver'),
    ['start', join(options.workDir, 'models')],
    {
      cwd: options.workDir,
      // The runtime module comes from PYTHONPATH (the folder of this file).
      env: { ...process.env, PYTHONPATH: RUNTIME_DIR },
      stdio: ['ignore', out, out],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM'); // MLServer stops its own workers on SIGTERM
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(ports.http, Object.keys(options.models), () => child.exitCode !== null, log);
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = child.pid ?? -1;
  return {
    pid,
    grpcPort: ports.grpc,
    restPort: ports.http,
    version: await installedVersion(),
    cpuUs: () => processTreeCpuUs(pid),
    stop,
  };
}
