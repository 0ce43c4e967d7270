// Raw in-process inference per engine, side by side in one run: the physical limit the server
// is measured against later. ONNX Runtime and OpenVINO load the same .onnx files.
//   pnpm bench:engines            (BENCH_SECONDS=3 per cell by default)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNumericTensor, type Engine, type LoadedModel, type TensorMap } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { createOpenvinoEngine } from '@ovms/engine-openvino';
import { linkPpOcrDetModel, writeFixtureModel, writeMlpModel } from '@ovms/testing';

const secondsPerCell = Number(process.env['BENCH_SECONDS'] ?? 3);

interface BenchModel {
  readonly name: string;
  readonly dir: string;
  readonly inputs: TensorMap;
}

interface Cell {
  readonly model: string;
  readonly engine: string;
  readonly concurrency: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number;
  /** Event-loop busy time per infer: what one infer costs the main thread. */
  readonly mainUs: number;
  /** Process CPU time (all threads) per infer. */
  readonly cpuUs: number;
}

/** An engine as benched: a label, and what to switch on around its cells. */
interface Variant {
  readonly label: string;
  readonly engine: Engine;
  readonly pluginConfig?: Readonly<Record<string, string>>;
}

function floatInput(name: string, shape: number[]): TensorMap {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count).map((_, i) => ((i * 37) % 255) / 255);
  return new Map([[name, createNumericTensor('FP32', shape, new Uint8Array(values.buffer))]]);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(model: LoadedModel, inputs: TensorMap, concurrency: number) {
  for (let i = 0; i < 3; i++) await model.infer(inputs); // warm-up
  const latencies: number[] = [];
  const deadline = performance.now() + secondsPerCell * 1000;
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await model.infer(inputs);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const busyMs = performance.eventLoopUtilization(elu).active;
  const { user, system } = process.cpuUsage(cpu);
  const count = latencies.length;
  latencies.sort((a, b) => a - b);
  return {
    mainUs: (busyMs * 1000) / count,
    cpuUs: (user + system) / count,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: latencies.length / elapsed,
  };
}

async function benchCell(variant: Variant, model: BenchModel, concurrency: number): Promise<Cell> {
  const options = variant.pluginConfig === undefined ? {} : { pluginConfig: variant.pluginConfig };
  const loaded = await variant.engine.load(model.dir, { nireq: concurrency, ...options });
  try {
    const result = await measure(loaded, model.inputs, concurrency);
    return {
      model: model.name,
      engine: variant.label,
      mainUs: result.mainUs,
      cpuUs: result.cpuUs,
      concurrency,
      p50Ms: result.p50,
      p99Ms: result.p99,
      perSecond: result.perSecond,
    };
  } finally {
    await loaded.close();
  }
}

const root = await mkdtemp(join(tmpdir(), 'bench-engines-'));
try {
  const mlpDir = join(root, 'mlp', '1');
  await writeMlpModel(mlpDir, { inputSize: 256, hiddenSize: 512, outputSize: 10 });
  const detDir = join(root, 'det', '1');
  await linkPpOcrDetModel(detDir);
  const addDir = join(root, 'add', '1');
  // ONNX, so both engines load the same file.
  await writeFixtureModel('add_f32', 'onnx', addDir);
  const tiny: TensorMap = new Map([...floatInput('a', [1, 4]), ...floatInput('b', [1, 4])]);
  const models: BenchModel[] = [
    { name: 'add_f32 1x4', dir: addDir, inputs: tiny },
    { name: 'mlp 1x256', dir: mlpDir, inputs: floatInput('x', [1, 256]) },
    { name: 'PP-OCRv4 det 1x3x640x640', dir: detDir, inputs: floatInput('x', [1, 3, 640, 640]) },
  ];
  const openvino = createOpenvinoEngine();
  const variants: Variant[] = [
    { label: 'onnxruntime', engine: createOnnxRuntimeEngine() },
    { label: 'openvino', engine: openvino },
    // OpenVINO's CPU default on 2 cores is LATENCY: 1 stream × 2 pinned threads. One thread
    // leaves a core to Node; measured beside the default before changing the engine's default.
    { label: 'ov-1thread', engine: openvino, pluginConfig: { INFERENCE_NUM_THREADS: '1' } },
  ];
  const cells: Cell[] = [];
  for (const model of models) {
    for (const concurrency of [1, 2]) {
      for (const variant of variants) cells.push(await benchCell(variant, model, concurrency));
    }
  }
  console.log(`\nRaw engines in process, ${secondsPerCell} s per cell (nireq = concurrency):`);
  console.log(
    '  model                       engine        conc    p50 ms    p99 ms    infer/s  main us  cpu us',
  );
  for (const cell of cells) {
    console.log(
      `  ${cell.model.padEnd(27)} ${cell.engine.padEnd(12)} ${String(cell.concurrency).padStart(5)} ` +
        `${cell.p50Ms.toFixed(3).padStart(9)} ${cell.p99Ms.toFixed(3).padStart(9)} ${cell.perSecond.toFixed(1).padStart(10)} ` +
        `${cell.mainUs.toFixed(1).padStart(8)} ${cell.cpuUs.toFixed(1).padStart(7)}`,
    );
  }
  console.log('\nOpenVINO / ONNX Runtime throughput ratio:');
  for (const model of models) {
    for (const concurrency of [1, 2]) {
      const of = (engine: string) =>
        cells.find(
          (c) => c.model === model.name && c.engine === engine && c.concurrency === concurrency,
        );
      const ratio = (of('openvino')?.perSecond ?? NaN) / (of('onnxruntime')?.perSecond ?? NaN);
      console.log(`  ${model.name.padEnd(27)} conc ${concurrency}: ${ratio.toFixed(2)}x`);
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
