// The server against its physical limit, side by side in one run: the raw engine in process
// (LoadedModel.infer in a closed loop) and the real server on gRPC (TF Serving Predict with
// tensor_content, KServe ModelInfer with raw_input_contents) and REST (TF Serving row/column
// JSON, KServe JSON and binary extension), on the same OpenVINO model files and input bytes.
//   pnpm bench:server                 BENCH_SECONDS=2 per cell (det cells twice that)
//   BENCH_PROFILE=1 pnpm bench:server also --cpu-prof the server on tiny-model gRPC
//   BENCH_MODELS=add | det            one model only; BENCH_NIREQ=4 infer requests per model
//   BENCH_PATHS=tfs-grpc,kserve-grpc  some client paths only
//   BENCH_BASELINE=<checkout>         also that checkout's server, each cell right after ours
// Four processes: this one (orchestration only), the raw engine, the server and the client.
// Cells run one at a time and each cell of a (model, in flight) group runs right after its
// raw-engine cell, so a shared, noisy machine drifts as little as possible inside a ratio.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linkPpOcrDetModel, writeFixtureModel } from '@ovms/testing';
import type { ClientPath, ClientRequest } from './client.js';
import { forkBenchChild } from './ipc.js';
import { printProfileSummary, summarizeCpuProfile } from './profile.js';
import type { RawAnswer, RawRequest } from './raw-engine.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { BENCH_MODELS, type CellResult } from './workload.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 2);
const nireq = Number(process.env['BENCH_NIREQ'] ?? 4);
const profiling = process.env['BENCH_PROFILE'] === '1';
/** The models this bench serves (bench/run.ts covers the MLP and the peer server). */
type BenchModelName = 'add' | 'det';
const modelNames = (process.env['BENCH_MODELS'] ?? 'add,det').split(',') as BenchModelName[];
/** Another checkout (e.g. a copy of main before a change): its server runs beside this one. */
const baselineRoot = process.env['BENCH_BASELINE'];
/** Only these client paths (comma-separated), e.g. tfs-grpc,kserve-grpc; all when absent. */
const onlyPaths = process.env['BENCH_PATHS']?.split(',');
const INFLIGHT = [1, 8, 64] as const;

type PathName = 'raw engine' | ClientPath;

interface Cell {
  readonly model: BenchModelName;
  readonly path: PathName;
  /** Which server answered: this checkout's, or BENCH_BASELINE's. */
  readonly baseline: boolean;
  readonly inflight: number;
  readonly result: CellResult;
  /** CPU of the process that did the serving: the raw engine's, or the server's. */
  readonly servingCpuUs: number;
  /** CPU of the client process; 0 for the raw engine (it is its own client). */
  readonly clientCpuUs: number;
}

/** Which paths run for a model at a width: JSON on the 4.9 MB det input only one at a time. */
function pathsFor(model: BenchModelName, inflight: number): ClientPath[] {
  const binary: ClientPath[] = ['tfs-grpc', 'kserve-grpc', 'kserve-rest-binary'];
  const json: ClientPath[] = ['tfs-rest-row', 'tfs-rest-column', 'kserve-rest-json'];
  const paths = model === 'det' && inflight > 1 ? binary : [...binary, ...json];
  return paths.filter((path) => onlyPaths === undefined || onlyPaths.includes(path));
}

async function writeRepository(
  root: string,
): Promise<{ configPath: string; dirs: Record<BenchModelName, string> }> {
  const dirs = { add: join(root, 'add'), det: join(root, 'det') };
  await writeFixtureModel('add_f32', 'onnx', join(dirs.add, '1'));
  await mkdir(join(dirs.det, '1'), { recursive: true });
  await linkPpOcrDetModel(join(dirs.det, '1'));
  const configPath = join(root, 'config.json');
  const entry = (name: BenchModelName) => ({
    config: { name, base_path: dirs[name], nireq, engine: 'openvino' },
  });
  await writeFile(configPath, JSON.stringify({ model_config_list: modelNames.map(entry) }));
  return { configPath, dirs: { add: join(dirs.add, '1'), det: join(dirs.det, '1') } };
}

function childEnv(): NodeJS.ProcessEnv {
  // What apps/ovms/bin/ovms.js sets: every infer request of every model, plus fs threads.
  const pool = Math.max(nireq * modelNames.length, 4 * availableParallelism()) + 4;
  return { ...process.env, UV_THREADPOOL_SIZE: String(pool) };
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function printTable(cells: readonly Cell[]): void {
  const rawOf = (cell: Cell) =>
    cells.find(
      (c) => c.model === cell.model && c.inflight === cell.inflight && c.path === 'raw engine',
    );
  console.log(
    `\nServer vs raw engine (OpenVINO CPU, nireq ${nireq}, ${seconds} s per cell, ${availableParallelism()} CPUs).` +
      '\n  ×raw: throughput / raw engine throughput at the same width; +p50: p50 - raw p50.' +
      '\n  CPU µs/req: serving process (raw engine or server) and client process, per request.',
  );
  console.log(
    '  model        path                     width     req/s   ×raw    p50 µs    p99 µs   +p50 µs  srv CPU µs/req  cli CPU µs/req',
  );
  let lastModel = '';
  for (const cell of cells) {
    const raw = rawOf(cell);
    const perSecond = cell.result.requests / cell.result.seconds;
    const rawPerSecond = raw === undefined ? NaN : raw.result.requests / raw.result.seconds;
    const model = cell.model === lastModel ? '' : cell.model;
    lastModel = cell.model;
    const path = cell.baseline ? `${cell.path} (base)` : cell.path;
    console.log(
      `  ${model.padEnd(12)} ${path.padEnd(26)} ${String(cell.inflight).padStart(2)} ` +
        `${fmt(perSecond, 1).padStart(9)} ${fmt(perSecond / rawPerSecond, 2).padStart(6)} ` +
        `${fmt(cell.result.p50Us).padStart(9)} ${fmt(cell.result.p99Us).padStart(9)} ` +
        `${(cell.path === 'raw engine' ? '' : fmt(cell.result.p50Us - (raw?.result.p50Us ?? NaN))).padStart(9)} ` +
        `${fmt(cell.servingCpuUs / cell.result.requests).padStart(15)} ` +
        `${(cell.path === 'raw engine' ? '' : fmt(cell.clientCpuUs / cell.result.requests)).padStart(15)}`,
    );
  }
  const of = (model: BenchModelName, path: PathName, inflight: number) =>
    cells.find(
      (c) => c.model === model && c.path === path && c.inflight === inflight && !c.baseline,
    );
  console.log('\nTargets:');
  for (const inflight of INFLIGHT) {
    for (const path of ['tfs-grpc', 'kserve-grpc'] as const) {
      const cell = of('det', path, inflight);
      const raw = of('det', 'raw engine', inflight);
      if (cell === undefined || raw === undefined) continue;
      const ratio =
        cell.result.requests / cell.result.seconds / (raw.result.requests / raw.result.seconds);
      console.log(
        `  det ${path} at ${inflight} in flight: ${ratio.toFixed(2)}x raw (target >= 0.9x)`,
      );
    }
  }
  for (const path of ['tfs-grpc', 'kserve-grpc'] as const) {
    const cell = of('add', path, 1);
    const raw = of('add', 'raw engine', 1);
    if (cell === undefined || raw === undefined) continue;
    console.log(
      `  add ${path} at 1 in flight: p50 +${fmt(cell.result.p50Us - raw.result.p50Us)} µs, ` +
        `p99 +${fmt(cell.result.p99Us - raw.result.p99Us)} µs over raw (target p50 <= 150 µs)`,
    );
  }
}

async function measureServerCell(
  server: ServerProcess,
  client: ReturnType<typeof forkBenchChild<ClientRequest, CellResult>>,
  request: Omit<ClientRequest, 'grpcPort' | 'restPort'>,
): Promise<{ result: CellResult; servingCpuUs: number }> {
  const before = await server.cpuUs();
  const result = await client.ask({
    ...request,
    grpcPort: server.grpcPort,
    restPort: server.restPort,
  });
  // Includes the client's short warm-up, which the request count does not: a slight overcount.
  return { result, servingCpuUs: (await server.cpuUs()) - before };
}

/** Where the server's .cpuprofile is kept after the run, for a closer look (e.g. speedscope). */
const profileDir = process.env['BENCH_PROFILE_DIR'] ?? join(tmpdir(), 'ovms-bench-server-profile');

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const PROFILE_INFLIGHT = 8;

async function newestProfile(dir: string): Promise<string> {
  const [file] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, file);
}

/**
 * Profiles the server on gRPC (both APIs, PROFILE_INFLIGHT in flight) for the first model of
 * BENCH_MODELS (the tiny model by default), then the raw engine on the same model and width, so
 * the server's extra work shows against the engine's own. Only samples inside the measured
 * cells count (no start-up, no model load).
 */
async function profileServer(
  configPath: string,
  dirs: Record<BenchModelName, string>,
): Promise<void> {
  const profiled: BenchModelName = modelNames[0] ?? 'add';
  await rm(profileDir, { recursive: true, force: true });
  const flags = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'];
  const server = await startServerProcess({
    configPath,
    modelNames: [profiled],
    env: childEnv(),
    nodeFlags: flags(join(profileDir, 'server')),
  });
  const client = forkBenchChild<ClientRequest, CellResult>(here('client.ts'), childEnv());
  const serverWindow = { fromUs: monotonicUs(), toUs: 0 };
  try {
    for (const path of ['tfs-grpc', 'kserve-grpc'] as const) {
      const request = {
        path,
        model: profiled,
        inflight: PROFILE_INFLIGHT,
        seconds: seconds * 2,
      } as const;
      const { result, servingCpuUs } = await measureServerCell(server, client, request);
      console.log(
        `profiled server ${path}: ${(result.requests / result.seconds).toFixed(0)} req/s, ` +
          `${(servingCpuUs / result.requests).toFixed(0)} µs server CPU/req`,
      );
    }
    serverWindow.toUs = monotonicUs();
  } finally {
    await client.stop();
    await server.stop();
  }
  const raw = forkBenchChild<RawRequest, RawAnswer>(
    here('raw-engine.ts'),
    childEnv(),
    flags(join(profileDir, 'raw')),
  );
  const rawWindow = { fromUs: 0, toUs: 0 };
  try {
    await raw.ask({
      kind: 'load',
      dirs: { [profiled]: dirs[profiled] },
      nireq,
    });
    rawWindow.fromUs = monotonicUs();
    const result = (await raw.ask({
      kind: 'measure',
      model: profiled,
      inflight: PROFILE_INFLIGHT,
      seconds: seconds * 2,
    })) as CellResult;
    rawWindow.toUs = monotonicUs();
    console.log(
      `profiled raw engine: ${(result.requests / result.seconds).toFixed(0)} req/s, ` +
        `${(result.cpuUs / result.requests).toFixed(0)} µs CPU/req`,
    );
  } finally {
    await raw.stop();
  }
  const serverFile = await newestProfile(join(profileDir, 'server'));
  console.log(`\nServer profile: ${serverFile}`);
  printProfileSummary(await summarizeCpuProfile(serverFile, serverWindow));
  const rawFile = await newestProfile(join(profileDir, 'raw'));
  console.log(`\nRaw engine profile: ${rawFile}`);
  printProfileSummary(await summarizeCpuProfile(rawFile, rawWindow), 12);
}

function here(file: string): string {
  return fileURLToPath(new URL(file, import.meta.url));
}

const root = await mkdtemp(join(tmpdir(), 'bench-server-'));
try {
  const { configPath, dirs } = await writeRepository(root);
  if (profiling) {
    await profileServer(configPath, dirs);
  } else {
    const raw = forkBenchChild<RawRequest, RawAnswer>(here('raw-engine.ts'), childEnv());
    const client = forkBenchChild<ClientRequest, CellResult>(here('client.ts'), childEnv());
    const server = await startServerProcess({ configPath, modelNames, env: childEnv() });
    const baseline =
      baselineRoot === undefined
        ? undefined
        : await startServerProcess({
            configPath,
            modelNames,
            env: childEnv(),
            projectRoot: baselineRoot,
          });
    const cells: Cell[] = [];
    try {
      const loadDirs = Object.fromEntries(modelNames.map((name) => [name, dirs[name]]));
      await raw.ask({ kind: 'load', dirs: loadDirs, nireq });
      for (const model of modelNames) {
        const cellSeconds = model === 'det' ? seconds * 2 : seconds;
        for (const inflight of INFLIGHT) {
          const rawResult = (await raw.ask({
            kind: 'measure',
            model,
            inflight,
            seconds: cellSeconds,
          })) as CellResult;
          cells.push({
            model,
            path: 'raw engine',
            baseline: false,
            inflight,
            result: rawResult,
            servingCpuUs: rawResult.cpuUs,
            clientCpuUs: 0,
          });
          for (const path of pathsFor(model, inflight)) {
            const targets = baseline === undefined ? [server] : [server, baseline];
            for (const target of targets) {
              const measured = await measureServerCell(target, client, {
                path,
                model,
                inflight,
                seconds: cellSeconds,
              }).catch((error: unknown) => {
                // One failing path must not hide the others: report it and go on.
                console.error(`  ${model} ${path} x${inflight} FAILED: ${String(error)}`);
                return undefined;
              });
              if (measured === undefined) continue;
              const { result, servingCpuUs } = measured;
              const isBaseline = target === baseline;
              cells.push({
                model,
                path,
                baseline: isBaseline,
                inflight,
                result,
                servingCpuUs,
                clientCpuUs: result.cpuUs,
              });
              console.error(
                `  ${BENCH_MODELS[model].label} ${path}${isBaseline ? ' (base)' : ''} x${inflight}: ` +
                  `${(result.requests / result.seconds).toFixed(1)} req/s`,
              );
            }
          }
        }
      }
    } finally {
      await Promise.all([raw.stop(), client.stop(), server.stop(), baseline?.stop()]);
    }
    printTable(cells);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
