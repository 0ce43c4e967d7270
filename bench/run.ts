// `npm run bench`: this server against its physical limit and against a peer, side by side in
// one run on the same model files — the raw engine in process (ONNX Runtime), ovms-ts on ONNX
// Runtime and on OpenVINO, and Seldon MLServer running the same ONNX Runtime — then writes
// docs/performance.md and docs/performance/*.svg from the cells.
//   BENCH_SECONDS=2            seconds per cell (PP-OCR det cells twice that)
//   BENCH_MODELS=add,mlp,mlp32,det   BENCH_CONCURRENCY=1,4,16   BENCH_PATHS=kserve-grpc,...
//   BENCH_NIREQ=1 (ONNX Runtime)     BENCH_OV_NIREQ=2 (OpenVINO)   BENCH_DOCS=0 (print only)
//   BENCH_BATCHING=0 skips the dynamic batching section (bench/batching, its variables there)
//   BENCH_CODECS=0 (skip the REST JSON codec rows, bench/codecs/rest.ts, run after the servers)
// Reuses bench/server: its raw-engine and client processes, its server launcher and workload.
// Then runs bench/genai (text generation; BENCH_GENAI=0 skips it and keeps the page's section).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { linkPpOcrDetModel, writeFixtureModel, writeMlpModel } from '@ovms/testing';
import { runBatchingBench, type BatchingResult } from './batching/bench.js';
import { batchingOptionsFromEnv } from './batching/options.js';
import { CHART_FILE, batchingChart, batchingSection, batchingVerdicts } from './batching/report.js';
import { perSecond, peakCell, type Cell, type TargetName } from './cells.js';
import { runRestCodecBench, type RestCodecBenchResult } from './codecs/rest.js';
import {
  mlserverInstalled,
  startMlserver,
  type MlserverProcess,
} from './peers/mlserver-process.js';
import { codecVerdict } from './report/codecs.js';
import { renderReport, type RunContext } from './report/markdown.js';
import { evaluateTargets, formatVerdict } from './report/targets.js';
import type { ClientPath, ClientRequest } from './server/client.js';
import { startGrpcFloor } from './server/grpc-floor.js';
import { forkBenchChild } from './server/ipc.js';
import type { RawAnswer, RawRequest } from './server/raw-engine.js';
import { startServerProcess, type ServerProcess } from './server/server-process.js';
import { BENCH_MODELS, type BenchModelName, type CellResult } from './server/workload.js';
import { cpuIdleLine } from './cpu-idle.js';

const env = process.env;
const seconds = Number(env['BENCH_SECONDS'] ?? 2);
const models = (env['BENCH_MODELS'] ?? 'add,mlp,mlp32,det').split(',') as BenchModelName[];
const widths = (env['BENCH_CONCURRENCY'] ?? '1,4,16').split(',').map(Number);
const onlyPaths = env['BENCH_PATHS']?.split(',');
const ortNireq = Number(env['BENCH_NIREQ'] ?? 1);
const ovNireq = Number(env['BENCH_OV_NIREQ'] ?? 2);
const writeDocs = env['BENCH_DOCS'] !== '0';
const withCodecs = env['BENCH_CODECS'] !== '0';
const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Which paths each server is asked on; JSON of the 4.9 MB det input only one at a time. */
const TARGET_PATHS: Readonly<Record<Exclude<TargetName, 'raw-ort'>, readonly ClientPath[]>> = {
  'ovms-ort': ['tfs-grpc', 'kserve-grpc', 'kserve-rest-json', 'kserve-rest-binary'],
  // The second engine as one row: its cost on the path both servers share.
  'ovms-ov': ['kserve-grpc'],
  mlserver: ['kserve-grpc', 'kserve-rest-json'],
  // The tiny model only: what grpc-js alone costs per call, under ovms-ts's own work.
  'grpc-floor': ['tfs-grpc', 'kserve-grpc'],
};

function pathsFor(target: keyof typeof TARGET_PATHS, model: BenchModelName, width: number) {
  if (target === 'grpc-floor' && model !== 'add') return [];
  return TARGET_PATHS[target].filter(
    (path) =>
      !(model === 'det' && width > 1 && path.includes('json')) &&
      (onlyPaths === undefined || onlyPaths.includes(path)),
  );
}

const servedNames = [...new Set(models.map((m) => BENCH_MODELS[m].name))];

async function writeRepository(root: string) {
  const dirs: Record<string, string> = {};
  for (const name of servedNames) {
    const dir = join(root, 'models', name, '1');
    if (name === 'add') await writeFixtureModel('add_f32', 'onnx', dir);
    else if (name === 'mlp')
      await writeMlpModel(dir, { inputSize: 256, hiddenSize: 512, outputSize: 10 });
    else await linkPpOcrDetModel(dir);
    dirs[name] = dir;
  }
  const config = async (engine: 'onnxruntime' | 'openvino', nireq: number) => {
    const file = join(root, `config-${engine}.json`);
    const entries = servedNames.map((name) => ({
      config: { name, base_path: join(root, 'models', name), nireq, engine },
    }));
    await writeFile(file, JSON.stringify({ model_config_list: entries }));
    return file;
  };
  return {
    dirs,
    ortConfig: await config('onnxruntime', ortNireq),
    ovConfig: await config('openvino', ovNireq),
  };
}

function childEnv(): NodeJS.ProcessEnv {
  // What apps/ovms/bin/ovms.js sets: every infer request of every model, plus fs threads.
  const pool =
    Math.max(Math.max(ortNireq, ovNireq) * servedNames.length, 4 * availableParallelism()) + 4;
  return { ...env, UV_THREADPOOL_SIZE: String(pool) };
}

function commandOutput(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

function machineLines(): string[] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown CPU';
  return [
    `CPU: ${model}, ${availableParallelism()} logical CPUs available to this process`,
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
    cpuIdleLine(),
  ];
}

/** Busy and total jiffies of the whole machine, every CPU, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are fields 4 and 5 of the cpu line.
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

function packageVersion(path: string): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, path), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

const cells: Cell[] = [];
const notes: string[] = [];

type Target = { name: Exclude<TargetName, 'raw-ort'>; server: ServerProcess };

async function measureServer(
  target: Target,
  model: BenchModelName,
  path: ClientPath,
  width: number,
  client: ReturnType<typeof forkBenchChild<ClientRequest, CellResult>>,
  rate?: number,
) {
  const cellSeconds = model === 'det' ? seconds * 2 : seconds;
  const before = await target.server.cpuUs();
  try {
    const result = await client.ask({
      path,
      model,
      inflight: width,
      seconds: cellSeconds,
      grpcPort: target.server.grpcPort,
      restPort: target.server.restPort,
      ...(rate !== undefined && { rate }),
    });
    const servingCpuUs = (await target.server.cpuUs()) - before;
    const cell: Cell = {
      model,
      target: target.name,
      path,
      width: rate === undefined ? width : 0,
      ...(rate !== undefined && { rate }),
      result,
      servingCpuUs,
      clientCpuUs: result.cpuUs,
    };
    cells.push(cell);
    console.error(
      `  ${model} ${target.name} ${path} ${rate === undefined ? `x${width}` : `@${rate.toFixed(0)}/s`}: ${perSecond(cell).toFixed(1)} req/s, p50 ${result.p50Us.toFixed(0)} µs`,
    );
  } catch (error) {
    // One failing path must not hide the others: report it and go on.
    const line = `${model} ${target.name} ${path} ${rate === undefined ? `x${width}` : `@${rate.toFixed(0)}/s`} failed: ${String(error).split('\n')[0]}`;
    console.error(`  ${line}`);
    notes.push(line);
  }
}

const started = Date.now();
const root = await mkdtemp(join(tmpdir(), 'bench-'));
const ensure = spawnSync('bash', [join(PROJECT_ROOT, 'scripts/ensure-mlserver.sh')], {
  stdio: 'inherit',
  timeout: 600_000,
});
const withPeer = ensure.status === 0 && (await mlserverInstalled());
if (!withPeer) notes.push('MLServer: scripts/ensure-mlserver.sh failed, so no peer rows.');
notes.push(
  'The OCR pipeline (det → boxes → rec): the repository has no OCR pipeline definition with its box-cropping custom node for the server to serve yet, so no pipeline rows.',
);
const machine = machineLines();
const jiffiesAtStart = machineJiffies();
const raw = forkBenchChild<RawRequest, RawAnswer>(here('server/raw-engine.ts'), childEnv());
const client = forkBenchChild<ClientRequest, CellResult>(here('server/client.ts'), childEnv());
const targets: Target[] = [];
let mlserver: MlserverProcess | undefined;
const drift: RunContext['drift'][number][] = [];
// Interrupted (Ctrl-C, a timeout): stop the servers and children rather than orphan them.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const stops = [raw.stop(), client.stop(), ...targets.map((t) => t.server.stop())];
    void Promise.allSettled(stops).finally(() => process.exit(130));
  });
}
try {
  const { dirs, ortConfig, ovConfig } = await writeRepository(root);
  await raw.ask({ kind: 'load', dirs, nireq: ortNireq, engine: 'onnxruntime' });
  targets.push({
    name: 'ovms-ort',
    server: await startServerProcess({
      configPath: ortConfig,
      modelNames: servedNames,
      env: childEnv(),
      built: true,
    }),
  });
  targets.push({
    name: 'ovms-ov',
    server: await startServerProcess({
      configPath: ovConfig,
      modelNames: servedNames,
      env: childEnv(),
      built: true,
    }),
  });
  if (models.includes('add'))
    targets.push({ name: 'grpc-floor', server: await startGrpcFloor(childEnv()) });
  if (withPeer) {
    const onnxFiles = Object.fromEntries(
      Object.entries(dirs).map(([name, dir]) => [name, join(dir, 'model.onnx')]),
    );
    mlserver = await startMlserver({ workDir: join(root, 'mlserver'), models: onnxFiles }).catch(
      (error: unknown) => {
        notes.push(`MLServer did not start: ${String(error)}`);
        return undefined;
      },
    );
    if (mlserver !== undefined) targets.push({ name: 'mlserver', server: mlserver });
  }
  const measureRaw = async (model: BenchModelName, width: number, rate?: number) => {
    const cellSeconds = model === 'det' ? seconds * 2 : seconds;
    const result = (await raw.ask({
      kind: 'measure',
      model,
      inflight: width,
      seconds: cellSeconds,
      ...(rate !== undefined && { rate }),
    })) as CellResult;
    return {
      model,
      target: 'raw-ort',
      path: 'in-process',
      width: rate === undefined ? width : 0,
      ...(rate !== undefined && { rate }),
      result,
      servingCpuUs: result.cpuUs,
      clientCpuUs: 0,
    } satisfies Cell;
  };
  // A server runs for hours and the cells measure it warm: one pass over every path of every
  // model first lets V8 optimise each request path. Fresh, the add model's TF Serving gRPC
  // cells at 1 in flight measured 210, 187 and 171 µs p50 in three rounds.
  console.error('Warming every server up (1-2 s per model and path, not counted)');
  for (const model of models) {
    for (const target of targets) {
      for (const path of pathsFor(target.name, model, 1)) {
        await client
          .ask({
            path,
            model,
            inflight: 1,
            seconds: 1,
            grpcPort: target.server.grpcPort,
            restPort: target.server.restPort,
          })
          // A path that fails here fails its cells too, and is reported there.
          .catch(() => undefined);
      }
    }
  }
  for (const model of models) {
    console.error(`${BENCH_MODELS[model].label}:`);
    for (const width of widths) {
      const rawCell = await measureRaw(model, width);
      cells.push(rawCell);
      console.error(
        `  ${model} raw x${width}: ${perSecond(rawCell).toFixed(1)} req/s, p50 ${rawCell.result.p50Us.toFixed(0)} µs`,
      );
      if (width === widths[0]) drift.push({ model, first: perSecond(rawCell), last: NaN });
      for (const target of targets) {
        for (const path of pathsFor(target.name, model, width))
          await measureServer(target, model, path, width, client);
      }
    }
    // Open loop at half the slowest server's peak on the shared path: every target keeps up.
    const peaks = targets
      .filter((t) => t.name !== 'grpc-floor')
      .map((t) => peakCell(cells, { model, target: t.name, path: 'kserve-grpc' }))
      .filter((c) => c !== undefined)
      .map(perSecond);
    if (peaks.length > 0 && (onlyPaths === undefined || onlyPaths.includes('kserve-grpc'))) {
      const rate = Math.max(1, 0.5 * Math.min(...peaks));
      cells.push(await measureRaw(model, 1, rate));
      for (const target of targets.filter((t) => t.name !== 'grpc-floor'))
        await measureServer(target, model, 'kserve-grpc', 1, client, rate);
    }
  }
  for (const entry of drift) {
    entry.last = perSecond(await measureRaw(entry.model, widths[0] ?? 1));
  }
} finally {
  await Promise.all([raw.stop(), client.stop(), ...targets.map((t) => t.server.stop())]);
  await rm(root, { recursive: true, force: true });
}

// Dynamic batching: its own server and raw engine, once the others have stopped.
let batching: BatchingResult | undefined;
if (env['BENCH_BATCHING'] !== '0') {
  console.error('Dynamic batching (MLP 1024-4096-4096-1024, OpenVINO):');
  batching = await runBatchingBench(batchingOptionsFromEnv(env)).catch((error: unknown) => {
    notes.push(`Dynamic batching bench failed: ${String(error).split('\n')[0]}`);
    return undefined;
  });
}

// With the servers stopped, so the codec rows have the machine to themselves (but for others').
let codecs: RestCodecBenchResult[] | undefined;
if (withCodecs) {
  console.error('REST JSON codecs (bench/codecs/rest.ts):');
  codecs = await runRestCodecBench();
  for (const row of codecs) {
    console.error(
      `  ${row.path}: ${row.mbPerSec.toFixed(0)} MB/s, ${row.cpuMbPerSec.toFixed(0)} MB/s CPU`,
    );
  }
}

/**
 * The sections of the old page this run does not measure, carried over as they are: the
 * hand-measured ones between markers (bench/server/hot-path.ts, bench/server/loops.ts), the
 * batching section when BENCH_BATCHING=0, and the text-generation section when BENCH_GENAI=0
 * leaves bench/genai out (it replaces its own).
 */
function carriedOverSections(page: string): string[] {
  const names = [...(batching === undefined ? ['dynamic-batching'] : []), 'hot-path', 'loops'];
  const marked = names.flatMap(
    (name) => new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`).exec(page) ?? [],
  );
  const genaiStart = page.indexOf('\n## Text generation');
  if (env['BENCH_GENAI'] !== '0' || genaiStart < 0) return marked.map((s) => `${s}\n`);
  const genaiEnd = page.indexOf('\n## ', genaiStart + 1);
  const genai = page.slice(genaiStart + 1, genaiEnd < 0 ? undefined : genaiEnd);
  return [...marked, genai].map((s) => `${s.trimEnd()}\n`);
}

function machineBusyPercent(): number {
  const end = machineJiffies();
  return (100 * (end.busy - jiffiesAtStart.busy)) / (end.total - jiffiesAtStart.total);
}

const context: RunContext = {
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  command: 'npm run bench',
  seconds,
  widths,
  models,
  machine: [
    ...machine,
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
    `machine CPU busy over the run (all processes, ours and others'): ${machineBusyPercent().toFixed(0)} %`,
  ],
  versions: [
    `Node ${process.version}; onnxruntime-node ${packageVersion('packages/engine-onnxruntime/node_modules/onnxruntime-node/package.json')}`,
    mlserver === undefined
      ? 'MLServer: not run'
      : `MLServer ${mlserver.version} on ${commandOutput(join(PROJECT_ROOT, '.cache/python-mlserver/bin/python'), ['--version'])}, onnxruntime (Python) ${commandOutput(join(PROJECT_ROOT, '.cache/python-mlserver/bin/python'), ['-c', 'import onnxruntime; print(onnxruntime.__version__)'])}, installed by scripts/ensure-mlserver.sh`,
  ],
  configuration: [
    `ovms-ts: nireq ${ortNireq} on ONNX Runtime, ${ovNireq} on OpenVINO (CPU); the raw engine loads with the same options`,
    `concurrency: ${widths.join(', ')} requests in flight`,
  ],
  drift,
  notes,
  wallSeconds: (Date.now() - started) / 1000,
  ...(codecs !== undefined && { codecs }),
};
const rendered = renderReport(cells, context);
const report =
  batching === undefined
    ? rendered
    : {
        markdown: `${rendered.markdown}\n${batchingSection(batching, `${context.date} by \`npm run bench\``)}\n`,
        charts: new Map([...rendered.charts, [CHART_FILE, batchingChart(batching)]]),
      };
for (const verdict of [
  ...evaluateTargets(cells, models),
  ...(codecs === undefined ? [] : [codecVerdict(codecs)]),
]) {
  console.log(`${verdict.target}: ${formatVerdict(verdict.met)}`);
  for (const line of verdict.measured) console.log(`  ${line}`);
}
for (const verdict of batching === undefined ? [] : batchingVerdicts(batching))
  console.log(`${verdict.name}: ${formatVerdict(verdict.met)} (${verdict.measured})`);
if (writeDocs) {
  const docs = join(PROJECT_ROOT, 'docs');
  await mkdir(join(docs, 'performance'), { recursive: true });
  const target = join(docs, 'performance.md');
  // Written as `prettier --check .` wants it, so a regenerated page needs no formatting pass.
  const options = { ...(await resolveConfig(target)), filepath: target };
  const page = await readFile(target, 'utf8').catch(() => '');
  const markdown = [report.markdown, ...carriedOverSections(page)].join('\n');
  await writeFile(target, await format(markdown, options));
  for (const [file, svg] of report.charts) await writeFile(join(docs, 'performance', file), svg);
  console.log(
    `wrote docs/performance.md and ${report.charts.size} charts in ${context.wallSeconds.toFixed(0)} s`,
  );
} else {
  console.log(report.markdown);
}

// Text generation (bench/genai): its own section of docs/performance.md, written after the page
// above. BENCH_GENAI=0 keeps the section the page has (it needs scripts/ensure-genai.sh's wheels
// and model).
if (env['BENCH_GENAI'] !== '0') {
  const genai = spawnSync(
    process.execPath,
    ['--conditions=@ovms/source', '--import', 'tsx', here('genai/run.ts')],
    { stdio: 'inherit', env },
  );
  if (genai.status !== 0) console.log(`bench:genai failed (exit ${genai.status})`);
}
