// Where the server's CPU per request goes, thread by thread, against the grpc-js floor: the
// real server (one process per engine setting, optionally a baseline checkout's) and the
// canned-answer gRPC server and the raw engine in process (default settings), measured cell after cell in rounds so a shared machine's drift
// hits every variant alike. CPU, not wall clock: it moves far less with the machine's load.
//   node --conditions=@ovms/source --import tsx bench/server/hot-path.ts
//   BENCH_SECONDS=3 BENCH_ROUNDS=2 BENCH_INFLIGHT=1,8 BENCH_MODEL=add|heavy
//   BENCH_PATHS=tfs-grpc,kserve-grpc,tfs-rest-row,kserve-rest-json
//   BENCH_PLUGIN_CONFIGS='{};{"INFERENCE_NUM_THREADS":1}'   one server per plugin_config
//   BENCH_BASELINE=<checkout>                 also that checkout's server, per plugin_config
//   BENCH_ENGINE=openvino|onnxruntime                       the servers' and the raw engine's
//   BENCH_RAW_PLUGIN_CONFIG='{"PERFORMANCE_HINT":"THROUGHPUT"}'   the raw engine's (default {})
//   BENCH_SERVER=built|source|built,source   the built server (dist, as `ovms` runs) or the
//                                            source through tsx (default: built)
//   BENCH_PROFILE_DIR=<dir>      --cpu-prof the first server there (read it with profile.ts)
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtureModel, writeMlpModel } from '@ovms/testing';
import type { ClientPath, ClientRequest } from './client.js';
import { startGrpcFloor } from './grpc-floor.js';
import { forkBenchChild } from './ipc.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import type { RawAnswer, RawRequest } from './raw-engine.js';
import type { CellResult } from './workload.js';
import { cpuIdleLine } from '../cpu-idle.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const inflights = (process.env['BENCH_INFLIGHT'] ?? '1,8').split(',').map(Number);
const modelName = process.env['BENCH_MODEL'] === 'heavy' ? 'heavy' : 'add';
const paths = (
  process.env['BENCH_PATHS'] ?? 'tfs-grpc,kserve-grpc,tfs-rest-row,kserve-rest-json'
).split(',') as ClientPath[];
const pluginConfigs = (process.env['BENCH_PLUGIN_CONFIGS'] ?? '{}')
  .split(';')
  .map((text) => JSON.parse(text) as Record<string, unknown>);
const baselineRoot = process.env['BENCH_BASELINE'];
const engineName = process.env['BENCH_ENGINE'] === 'onnxruntime' ? 'onnxruntime' : 'openvino';
const serverForms = (process.env['BENCH_SERVER'] ?? 'built').split(',');
const profileDir = process.env['BENCH_PROFILE_DIR'];
const rawPluginConfig = JSON.parse(process.env['BENCH_RAW_PLUGIN_CONFIG'] ?? '{}') as Record<
  string,
  string | number | boolean
>;
/** Linux USER_HZ: /proc counts CPU time in 1/100 s. */
const US_PER_TICK = 10_000;

/**
 * CPU so far of each kind of thread of `pid`, in µs: the event loop, V8's helpers (GC,
 * compilers: `V8Worker`), libuv's pool (`libuv-worker`, which also names the threads an engine
 * starts from a pool thread) and other threads an engine started from the main thread.
 */
function kindOf(comm: string): string {
  if (comm === 'V8Worker') return 'V8';
  if (comm === 'libuv-worker') return 'pool/engine';
  return 'engine';
}

/** What `/proc` counts per thread of a process, summed by thread kind. */
interface ThreadCounts {
  /** CPU µs by thread name (see kindOf). */
  readonly cpuUs: Map<string, number>;
  /**
   * Times any thread went to sleep (voluntary context switches): each one is woken again, and
   * on a virtual machine whose CPUs halt when idle a wake-up can cost more than the work.
   */
  readonly sleeps: number;
}

async function threadCounts(pid: number): Promise<ThreadCounts> {
  const byName = new Map<string, number>();
  let sleeps = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    // A thread may end between the listing and the reads.
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue;
    const status = await readFile(`/proc/${pid}/task/${tid}/status`, 'utf8').catch(() => '');
    sleeps += Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    // Threads are named after the thread that started them: only the thread whose id is the
    // process's is the event loop; others called MainThread are an engine's (OpenVINO's TBB).
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const name = tid === String(pid) ? 'event loop' : `${comm} (${kindOf(comm)})`;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
    byName.set(name, (byName.get(name) ?? 0) + us);
  }
  return { cpuUs: byName, sleeps };
}

interface Variant {
  readonly label: string;
  readonly server: ServerProcess;
}

interface Sum {
  requests: number;
  seconds: number;
  cpuUs: number;
  sleeps: number;
  readonly threads: Map<string, number>;
  /** Each round's p50 latency; the table shows their median. */
  readonly p50s: number[];
}

const versionDir = (root: string) => join(root, modelName, '1');

async function writeRepository(root: string): Promise<string> {
  const dir = versionDir(root);
  if (modelName === 'heavy') {
    await writeMlpModel(dir, { inputSize: 1024, hiddenSize: [4096, 4096], outputSize: 1024 });
  } else {
    await writeFixtureModel('add_f32', 'onnx', dir);
  }
  return join(root, modelName);
}

function accumulate(
  sums: Map<string, Sum>,
  key: string,
  result: CellResult,
  cpuUs: number,
  threads: ThreadCounts,
): void {
  const sum = sums.get(key) ?? {
    requests: 0,
    seconds: 0,
    cpuUs: 0,
    sleeps: 0,
    threads: new Map<string, number>(),
    p50s: [],
  };
  sum.requests += result.requests;
  sum.seconds += result.seconds;
  sum.cpuUs += cpuUs;
  sum.sleeps += threads.sleeps;
  sum.p50s.push(result.p50Us);
  for (const [name, us] of threads.cpuUs) sum.threads.set(name, (sum.threads.get(name) ?? 0) + us);
  sums.set(key, sum);
  console.error(
    `  ${key}: ${(result.requests / result.seconds).toFixed(0)} req/s, ` +
      `${(cpuUs / result.requests).toFixed(0)} µs CPU/req, p50 ${result.p50Us.toFixed(0)} µs`,
  );
}

/** What each kind of thread of `pid` spends, and how often threads sleep, while `run` runs. */
async function measured<T>(pid: number, run: () => Promise<T>): Promise<[T, ThreadCounts]> {
  const before = await threadCounts(pid);
  const result = await run();
  const after = await threadCounts(pid);
  const spent = new Map<string, number>();
  for (const [name, us] of after.cpuUs) spent.set(name, us - (before.cpuUs.get(name) ?? 0));
  return [result, { cpuUs: spent, sleeps: after.sleeps - before.sleeps }];
}

async function startVariants(root: string, basePath: string): Promise<Variant[]> {
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(4 * availableParallelism() + 4) };
  const variants: Variant[] = [];
  const serve = async (
    label: string,
    config: Record<string, unknown>,
    built: boolean,
    projectRoot?: string,
  ) => {
    const configPath = join(root, `config-${variants.length}.json`);
    const entry = { name: modelName, base_path: basePath, nireq: 4, engine: engineName };
    const withPlugin =
      Object.keys(config).length === 0 ? entry : { ...entry, plugin_config: config };
    await writeFile(configPath, JSON.stringify({ model_config_list: [{ config: withPlugin }] }));
    const server = await startServerProcess({
      configPath,
      modelNames: [modelName],
      env,
      built,
      ...(projectRoot !== undefined && { projectRoot }),
      ...(profileDir !== undefined &&
        variants.length === 0 && { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }),
    });
    variants.push({ label: built ? label : `${label} (source)`, server });
  };
  for (const form of serverForms) {
    const built = form !== 'source';
    for (const config of pluginConfigs) {
      await serve(`ovms-ts ${JSON.stringify(config)}`, config, built);
    }
    if (baselineRoot === undefined) continue;
    for (const config of pluginConfigs) {
      await serve(`baseline ${JSON.stringify(config)}`, config, built, baselineRoot);
    }
  }
  if (paths.some((path) => path.endsWith('grpc'))) {
    variants.push({ label: 'gRPC floor', server: await startGrpcFloor(env) });
  }
  return variants;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function printSums(sums: Map<string, Sum>): void {
  // Column heading → thread kind (see threadCounts).
  const columns: readonly (readonly [string, string])[] = [
    ['loop', 'event loop'],
    ['engine@main', 'MainThread (engine)'],
    ['V8 helpers', 'V8Worker (V8)'],
    ['libuv/engine', 'libuv-worker (pool/engine)'],
  ];
  const names = columns.map(([, name]) => name);
  console.log(
    `\n${'cell'.padEnd(64)} ${'req/s'.padStart(7)} ${'p50 µs'.padStart(7)} ${'CPU µs/req'.padStart(10)}  ` +
      `${columns.map(([heading]) => heading.padStart(12)).join(' ')} ${'other'.padStart(7)} ` +
      `${'sleeps/req'.padStart(10)}`,
  );
  for (const [key, sum] of sums) {
    const perRequest = (us: number) => (us / sum.requests).toFixed(1);
    const named = names.map((name) => perRequest(sum.threads.get(name) ?? 0).padStart(12));
    let other = 0;
    for (const [name, us] of sum.threads) if (!names.includes(name)) other += us;
    console.log(
      `${key.padEnd(64)} ${(sum.requests / sum.seconds).toFixed(0).padStart(7)} ` +
        `${median(sum.p50s).toFixed(0).padStart(7)} ` +
        `${perRequest(sum.cpuUs).padStart(10)}  ${named.join(' ')} ${perRequest(other).padStart(7)} ` +
        `${(sum.sleeps / sum.requests).toFixed(2).padStart(10)}`,
    );
  }
}

const root = await mkdtemp(join(tmpdir(), 'bench-hot-path-'));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
try {
  const variants = await startVariants(root, await writeRepository(root));
  const client = forkBenchChild<ClientRequest, CellResult>(
    fileURLToPath(new URL('client.ts', import.meta.url)),
  );
  const raw = forkBenchChild<RawRequest, RawAnswer>(
    fileURLToPath(new URL('raw-engine.ts', import.meta.url)),
  );
  await raw.ask({
    kind: 'load',
    dirs: { [modelName]: versionDir(root) },
    nireq: 4,
    engine: engineName,
    pluginConfig: rawPluginConfig,
  });
  const sums = new Map<string, Sum>();
  console.log(`${availableParallelism()} CPUs, ${engineName}; load average at start: ${load()}`);
  console.log(cpuIdleLine());
  try {
    for (let round = 0; round < rounds; round++) {
      for (const inflight of inflights) {
        const [rawResult, rawThreads] = await measured(raw.pid, () =>
          raw.ask({ kind: 'measure', model: modelName, inflight, seconds }),
        );
        const result = rawResult as CellResult;
        accumulate(
          sums,
          `${modelName} in-process x${inflight} raw engine ${JSON.stringify(rawPluginConfig)}`,
          result,
          result.cpuUs,
          rawThreads,
        );
        for (const path of paths) {
          for (const { label, server } of variants) {
            if (server.restPort < 0 && !path.endsWith('grpc')) continue;
            const cpuBefore = await server.cpuUs();
            const [result, threads] = await measured(server.pid, () =>
              client.ask({
                path,
                model: modelName,
                inflight,
                seconds,
                grpcPort: server.grpcPort,
                restPort: server.restPort,
              }),
            );
            const cpuUs = (await server.cpuUs()) - cpuBefore;
            accumulate(sums, `${modelName} ${path} x${inflight} ${label}`, result, cpuUs, threads);
          }
        }
      }
    }
  } finally {
    await client.stop();
    await raw.stop();
    for (const { server } of variants) await server.stop();
  }
  console.log(`load average at end: ${load()}`);
  printSums(sums);
} finally {
  await rm(root, { recursive: true, force: true });
}
