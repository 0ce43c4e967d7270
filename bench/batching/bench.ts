// The dynamic batching bench: a compute-bound MLP (1024-4096-4096-1024, generated here) served
// twice by one ovms-ts process on OpenVINO, once as it is and once with `dynamic_batching`, at
// several requests in flight over KServe gRPC; beside them the raw engine in process at batch 1
// and batch 16, the limits batching moves between. Used by `npm run bench` and
// `npm run bench:batching` (bench/batching/run.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMlpModel } from '@ovms/testing';
import type { ClientRequest } from '../server/client.js';
import { forkBenchChild } from '../server/ipc.js';
import type { RawAnswer, RawRequest } from '../server/raw-engine.js';
import { startServerProcess, type ServerProcess } from '../server/server-process.js';
import type { BenchModelName, CellResult } from '../server/workload.js';

/** What a run measures; the report prints it. */
export interface BatchingSettings {
  /** Seconds per cell. */
  readonly seconds: number;
  /** Requests in flight, one row each. */
  readonly widths: readonly number[];
  /** Infer requests of the model without batching (the main bench's OpenVINO nireq). */
  readonly nireq: number;
  /** Infer requests of the batching model: how many batches run at once. */
  readonly batchingNireq: number;
  readonly maxBatchSize: number;
  readonly maxQueueDelayUs: number;
  /**
   * Cells per model and width, alternating without and with batching; the best of each is kept,
   * as the one least disturbed by the other processes of a shared machine.
   */
  readonly rounds: number;
}

export interface BatchingBenchOptions {
  readonly settings: BatchingSettings;
  readonly env: NodeJS.ProcessEnv;
  /** Progress lines (stderr in the runners). */
  readonly log: (line: string) => void;
}

export interface BatchingRow {
  readonly width: number;
  readonly off: CellResult;
  readonly on: CellResult;
  /** Mean rows per batch the server ran during the batching cell (from ovms_batch_size). */
  readonly meanBatch: number;
}

/** The raw engine in process: inferences (batch 1) or rows (batch 16) per second, and p50. */
export interface RawLimit {
  readonly rowsPerSecond: number;
  readonly p50Us: number;
  readonly inflight: number;
}

export interface BatchingResult {
  readonly settings: BatchingSettings;
  readonly rows: readonly BatchingRow[];
  readonly raw1: RawLimit;
  readonly raw16: RawLimit;
  /** The machine's 1-minute load average at the start and at the end of the run. */
  readonly load: readonly [number, number];
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const HIDDEN = [4096, 4096];

const perSecond = (cell: CellResult) => cell.requests / cell.seconds;

/** `_sum` and `_count` of the batching model's ovms_batch_size histogram now. */
async function batchSizeTotals(server: ServerProcess): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`http://127.0.0.1:${server.restPort}/metrics`)).text();
  const read = (suffix: string) => {
    const series = `ovms_batch_size_${suffix}{name="heavy_batched",version="1"} `;
    const line = text.split('\n').find((l) => l.startsWith(series));
    return line === undefined ? 0 : Number(line.slice(series.length));
  };
  return { sum: read('sum'), count: read('count') };
}

export async function runBatchingBench(options: BatchingBenchOptions): Promise<BatchingResult> {
  const { settings, log } = options;
  const { seconds } = settings;
  const loadAtStart = loadavg()[0] ?? NaN;
  const root = await mkdtemp(join(tmpdir(), 'bench-batching-'));
  // Every infer request of both models and the raw engine's, plus fs threads (as bench/run.ts).
  const pool = Math.max(4 * availableParallelism(), settings.nireq + settings.batchingNireq) + 4;
  const env = { ...options.env, UV_THREADPOOL_SIZE: String(pool) };
  const raw = forkBenchChild<RawRequest, RawAnswer>(here('../server/raw-engine.ts'), env);
  const client = forkBenchChild<ClientRequest, CellResult>(here('../server/client.ts'), env);
  let server: ServerProcess | undefined;
  try {
    const dir = join(root, 'heavy', '1');
    await writeMlpModel(dir, { inputSize: 1024, hiddenSize: HIDDEN, outputSize: 1024 });
    const batching = {
      max_batch_size: settings.maxBatchSize,
      max_queue_delay_microseconds: settings.maxQueueDelayUs,
    };
    const entry = (name: string, nireq: number, extra: object = {}) => ({
      config: { name, base_path: join(root, 'heavy'), engine: 'openvino', nireq, ...extra },
    });
    const configPath = join(root, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        model_config_list: [
          entry('heavy', settings.nireq),
          entry('heavy_batched', settings.batchingNireq, { dynamic_batching: batching }),
        ],
        monitoring: { metrics: { enable: true } },
      }),
    );
    await raw.ask({
      kind: 'load',
      dirs: { heavy: dir },
      nireq: settings.nireq,
      engine: 'openvino',
    });
    const measureRaw = async (model: BenchModelName, rows: number): Promise<RawLimit> => {
      let best: RawLimit | undefined;
      for (const inflight of [...new Set([1, settings.nireq])]) {
        const result = (await raw.ask({ kind: 'measure', model, inflight, seconds })) as CellResult;
        const limit = { rowsPerSecond: perSecond(result) * rows, p50Us: result.p50Us, inflight };
        log(`  raw ${model} x${inflight}: ${limit.rowsPerSecond.toFixed(0)} rows/s`);
        if (best === undefined || limit.rowsPerSecond > best.rowsPerSecond) best = limit;
      }
      return best!;
    };
    const raw1 = await measureRaw('heavy', 1);
    const raw16 = await measureRaw('heavy16', 16);
    await raw.stop();
    server = await startServerProcess({
      configPath,
      modelNames: ['heavy', 'heavy_batched'],
      env,
    });
    const measure = (model: BenchModelName, width: number, cellSeconds = seconds) =>
      client.ask({
        path: 'kserve-grpc',
        model,
        inflight: width,
        seconds: cellSeconds,
        grpcPort: server!.grpcPort,
        restPort: server!.restPort,
      });
    // OpenVINO prepares each new input shape on first use: a dynamic model meets every batch size
    // from 1 to the maximum, so both models see them all before anything is measured.
    for (const width of settings.widths) {
      await measure('heavy', width, 1);
      await measure('heavy_batched', width, 1);
    }
    const rows: BatchingRow[] = [];
    const best = (a: CellResult, b: CellResult) => (perSecond(b) > perSecond(a) ? b : a);
    for (const width of settings.widths) {
      const before = await batchSizeTotals(server);
      let off = await measure('heavy', width);
      let on = await measure('heavy_batched', width);
      for (let round = 1; round < settings.rounds; round++) {
        off = best(off, await measure('heavy', width));
        on = best(on, await measure('heavy_batched', width));
      }
      const after = await batchSizeTotals(server);
      const meanBatch = (after.sum - before.sum) / Math.max(1, after.count - before.count);
      rows.push({ width, off, on, meanBatch });
      log(
        `  x${width}: off ${perSecond(off).toFixed(0)} req/s p50 ${off.p50Us.toFixed(0)} µs; ` +
          `on ${perSecond(on).toFixed(0)} req/s p50 ${on.p50Us.toFixed(0)} µs, mean batch ${meanBatch.toFixed(1)}`,
      );
    }
    return { settings, rows, raw1, raw16, load: [loadAtStart, loadavg()[0] ?? NaN] };
  } finally {
    await Promise.all([raw.stop(), client.stop(), server?.stop()]);
    await rm(root, { recursive: true, force: true });
  }
}
