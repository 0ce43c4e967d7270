// Transport loops (`--grpc_workers`, `--rest_workers`): the server with 1 and 2 loops against
// the raw engine in process, on a tiny model, a 4 KB one and a compute-bound one, at 1-64
// requests in flight; KServe gRPC from a load generator in its own process over one connection
// per request in flight (up to 16), and KServe REST JSON (bench/server/client.ts, one keep-alive
// connection per request in flight). Cells alternate in rounds so a shared machine's drift hits
// every variant alike. CPU per request, by thread kind, feeds an estimate of throughput on 16
// and 64 cores (gRPC).
//   npm run bench:loops
//   BENCH_SECONDS=3 BENCH_ROUNDS=2 BENCH_INFLIGHT=1,4,8,16,64 BENCH_LOOP_MODELS=add,add4k,heavy
//   BENCH_LOOPS=1,2 BENCH_LOOP_TRANSPORTS=grpc,rest
//   BENCH_ENGINE=openvino|onnxruntime        the servers' and the raw engine's (default openvino)
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtureModel, writeMlpModel } from '@ovms/testing';
import { forkBenchChild } from './ipc.js';
import type { ClientRequest } from './client.js';
import type { LoopsClientRequest } from './loops-client.js';
import type { RawAnswer, RawRequest } from './raw-engine.js';
import { startServerProcess } from './server-process.js';
import type { ServerProcess } from './server-process.js';
import type { BenchModelName, CellResult } from './workload.js';
import { cpuIdleLine } from '../cpu-idle.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const inflights = (process.env['BENCH_INFLIGHT'] ?? '1,4,8,16,64').split(',').map(Number);
const models = (process.env['BENCH_LOOP_MODELS'] ?? 'add,add4k,heavy').split(
  ',',
) as BenchModelName[];
const loopCounts = (process.env['BENCH_LOOPS'] ?? '1,2').split(',').map(Number);
const engineName = process.env['BENCH_ENGINE'] === 'onnxruntime' ? 'onnxruntime' : 'openvino';
type Transport = 'grpc' | 'rest';
const transports = (process.env['BENCH_LOOP_TRANSPORTS'] ?? 'grpc,rest').split(',') as Transport[];
/** REST rows are KServe JSON on the small models: the heavy one is engine-bound either way. */
const restModels = new Set<BenchModelName>(['add', 'add4k']);
/** The variant label of a server with `loops` loops on `transport`. */
const variantOf = (transport: Transport, loops: number) =>
  `${transport === 'rest' ? 'REST ' : ''}${loops} loop${loops > 1 ? 's' : ''}`;
const NIREQ = 4;
/** Linux USER_HZ: /proc counts CPU time in 1/100 s. */
const US_PER_TICK = 10_000;
const CORES = [16, 64];

type ThreadKind = 'main' | 'loops' | 'other';

/** CPU so far of `pid`'s main thread, its worker threads (the loops) and the rest, in µs. */
async function cpuByKind(pid: number): Promise<Record<ThreadKind, number>> {
  const spent: Record<ThreadKind, number> = { main: 0, loops: 0, other: 0 };
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue; // ended between the listing and the read
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
    const kind: ThreadKind =
      tid === String(pid) ? 'main' : comm === 'WorkerThread' ? 'loops' : 'other';
    spent[kind] += us;
  }
  return spent;
}

interface Sum {
  requests: number;
  seconds: number;
  p50s: number[];
  cpu: Record<ThreadKind, number>;
}

const sums = new Map<string, Sum>();
const keyOf = (model: string, inflight: number, variant: string) =>
  `${model}|${inflight}|${variant}`;

function add(key: string, result: CellResult, cpu: Record<ThreadKind, number>): void {
  const sum = sums.get(key) ?? {
    requests: 0,
    seconds: 0,
    p50s: [],
    cpu: { main: 0, loops: 0, other: 0 },
  };
  sum.requests += result.requests;
  sum.seconds += result.seconds;
  sum.p50s.push(result.p50Us);
  for (const kind of ['main', 'loops', 'other'] as const) sum.cpu[kind] += cpu[kind];
  sums.set(key, sum);
  const total = cpu.main + cpu.loops + cpu.other;
  console.error(
    `  ${key}: ${(result.requests / result.seconds).toFixed(0)} req/s, p50 ${result.p50Us.toFixed(0)} µs, ` +
      `${(total / result.requests).toFixed(0)} µs CPU/req`,
  );
}

async function measured(
  pid: number,
  run: () => Promise<CellResult>,
): Promise<[CellResult, Record<ThreadKind, number>]> {
  const before = await cpuByKind(pid);
  const result = await run();
  const after = await cpuByKind(pid);
  return [
    result,
    {
      main: after.main - before.main,
      loops: after.loops - before.loops,
      other: after.other - before.other,
    },
  ];
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const rate = (sum: Sum | undefined) => (sum === undefined ? NaN : sum.requests / sum.seconds);
const perRequest = (sum: Sum, kind?: ThreadKind) =>
  (kind === undefined ? sum.cpu.main + sum.cpu.loops + sum.cpu.other : sum.cpu[kind]) /
  sum.requests;
const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function printTables(): void {
  const variants = ['raw', ...loopCounts.map((n) => variantOf('grpc', n))];
  const restVariants = loopCounts.map((n) => variantOf('rest', n));
  console.log(
    `\n| model | in flight | variant | req/s | ×raw | ×1 loop | p50 µs | +p50 µs | CPU µs/req | main | loops | other |` +
      '\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const model of models) {
    for (const inflight of inflights) {
      const raw = sums.get(keyOf(model, inflight, 'raw'));
      for (const variant of [...variants, ...restVariants]) {
        const sum = sums.get(keyOf(model, inflight, variant));
        if (sum === undefined) continue;
        const isRaw = variant === 'raw';
        // ×1 loop against the same transport's single loop.
        const first = variant.startsWith('REST') ? restVariants[0] : variants[1];
        const one = sums.get(keyOf(model, inflight, first ?? ''));
        const p50 = median(sum.p50s);
        console.log(
          `| ${model} | ${inflight} | ${variant} | ${fmt(rate(sum))} | ${isRaw ? '' : fmt(rate(sum) / rate(raw), 2)} | ` +
            `${isRaw ? '' : fmt(rate(sum) / rate(one), 2)} | ${fmt(p50)} | ${isRaw || raw === undefined ? '' : fmt(p50 - median(raw.p50s))} | ` +
            `${fmt(perRequest(sum))} | ${isRaw ? '' : fmt(perRequest(sum, 'main'))} | ${isRaw ? '' : fmt(perRequest(sum, 'loops'))} | ${isRaw ? '' : fmt(perRequest(sum, 'other'))} |`,
        );
      }
    }
  }
  // The main thread is one thread however many cores there are: it bounds the server at
  // 1e6 / (its µs per request). Everything else (loops, engine, V8 helpers) spreads over the
  // cores: C·1e6 / (the rest's µs per request). The raw engine: C·1e6 / (its µs per request).
  // REST loops hand the main thread whole requests: its share does not shrink, no estimate.
  if (!transports.includes('grpc')) return;
  const most = Math.max(...inflights);
  const many = `${Math.max(...loopCounts)} loops`;
  console.log(
    `\nEstimate from CPU per request at ${most} in flight (${many}): req/s on C cores, server vs raw engine.` +
      `\n| model | main µs/req | rest µs/req | raw µs/req | ${CORES.map((c) => `${c} cores: server / raw (×raw)`).join(' | ')} |` +
      `\n|---|---:|---:|---:|${CORES.map(() => '---:').join('|')}|`,
  );
  for (const model of models) {
    const server = sums.get(keyOf(model, most, many));
    const raw = sums.get(keyOf(model, most, 'raw'));
    if (server === undefined || raw === undefined) continue;
    const main = perRequest(server, 'main');
    const rest = perRequest(server) - main;
    const rawUs = perRequest(raw);
    const cells = CORES.map((cores) => {
      const estimate = Math.min(1e6 / main, (cores * 1e6) / (main + rest));
      const rawEstimate = (cores * 1e6) / rawUs;
      return `${fmt(estimate)} / ${fmt(rawEstimate)} (${fmt(estimate / rawEstimate, 2)})`;
    });
    console.log(
      `| ${model} | ${fmt(main, 1)} | ${fmt(rest, 1)} | ${fmt(rawUs, 1)} | ${cells.join(' | ')} |`,
    );
  }
}

const root = await mkdtemp(join(tmpdir(), 'bench-loops-'));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const servers: { loops: number; server: ServerProcess }[] = [];
try {
  const dirs = { add: join(root, 'add'), heavy: join(root, 'heavy') };
  await writeFixtureModel('add_f32', 'onnx', join(dirs.add, '1'));
  if (models.includes('heavy'))
    await writeMlpModel(join(dirs.heavy, '1'), {
      inputSize: 1024,
      hiddenSize: [4096, 4096],
      outputSize: 1024,
    });
  const served = Object.entries(dirs).filter(
    ([name]) => name === 'add' || models.includes('heavy'),
  );
  const configPath = join(root, 'config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      model_config_list: served.map(([name, dir]) => ({
        config: { name, base_path: dir, nireq: NIREQ, engine: engineName },
      })),
    }),
  );
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(4 * availableParallelism() + 4) };
  for (const loops of loopCounts) {
    servers.push({
      loops,
      server: await startServerProcess({
        configPath,
        modelNames: served.map(([name]) => name),
        env,
        built: true,
        args: [
          ...['--grpc_workers', String(loops)],
          // OVMS wants at least 2; absent is the main thread serving REST (one loop).
          ...(loops > 1 ? ['--rest_workers', String(loops)] : []),
        ],
      }),
    });
  }
  const restClient = forkBenchChild<ClientRequest, CellResult>(
    fileURLToPath(new URL('client.ts', import.meta.url)),
  );
  const client = forkBenchChild<LoopsClientRequest, CellResult>(
    fileURLToPath(new URL('loops-client.ts', import.meta.url)),
  );
  const raw = forkBenchChild<RawRequest, RawAnswer>(
    fileURLToPath(new URL('raw-engine.ts', import.meta.url)),
  );
  await raw.ask({
    kind: 'load',
    dirs: Object.fromEntries(served.map(([name, dir]) => [name, join(dir, '1')])),
    nireq: NIREQ,
    engine: engineName,
  });
  console.log(
    `${availableParallelism()} CPUs, ${engineName}; ${seconds} s per cell, ${rounds} rounds; load average at start: ${load()}`,
  );
  console.log(cpuIdleLine());
  try {
    for (let round = 0; round < rounds; round += 1) {
      // Odd rounds run the servers in the other order.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const model of models) {
        for (const inflight of inflights) {
          const [rawResult, rawCpu] = await measured(
            raw.pid,
            async () =>
              (await raw.ask({ kind: 'measure', model, inflight, seconds })) as CellResult,
          );
          add(keyOf(model, inflight, 'raw'), rawResult, rawCpu);
          for (const { loops, server } of order) {
            if (transports.includes('grpc')) {
              const [result, cpu] = await measured(server.pid, () =>
                client.ask({ grpcPort: server.grpcPort, model, inflight, seconds }),
              );
              add(keyOf(model, inflight, variantOf('grpc', loops)), result, cpu);
            }
            if (transports.includes('rest') && restModels.has(model)) {
              const [result, cpu] = await measured(server.pid, () =>
                restClient.ask({
                  grpcPort: server.grpcPort,
                  restPort: server.restPort,
                  path: 'kserve-rest-json',
                  model,
                  inflight,
                  seconds,
                }),
              );
              add(keyOf(model, inflight, variantOf('rest', loops)), result, cpu);
            }
          }
        }
      }
    }
  } finally {
    await client.stop();
    await restClient.stop();
    await raw.stop();
  }
  console.log(`load average at end: ${load()}`);
  printTables();
} finally {
  for (const { server } of servers) await server.stop();
  await rm(root, { recursive: true, force: true });
}
