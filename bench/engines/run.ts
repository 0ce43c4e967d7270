// Raw in-process inference per engine, side by side in one run: the physical limit the server
// is measured against later. ONNX Runtime and OpenVINO load the same .onnx files.
//   pnpm bench:engines            (BENCH_SECONDS=3 per cell by default)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNumericTensor, type Engine, type LoadedModel, type TensorMap } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { createOpenvinoEngine } from '@ovms/engine-openvino';
import { linkPpOcrDetModel, writeMlpModel } from '@ovms/testing';

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
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await model.infer(inputs);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: latencies.length / elapsed,
  };
}

async function benchCell(engine: Engine, model: BenchModel, concurrency: number): Promise<Cell> {
  const loaded = await engine.load(model.dir, { nireq: concurrency });
  try {
    const result = await measure(loaded, model.inputs, concurrency);
    return {
      model: model.name,
      engine: engine.name,
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
  const models: BenchModel[] = [
    { name: 'mlp 1x256', dir: mlpDir, inputs: floatInput('x', [1, 256]) },
    { name: 'PP-OCRv4 det 1x3x640x640', dir: detDir, inputs: floatInput('x', [1, 3, 640, 640]) },
  ];
  const engines: Engine[] = [createOnnxRuntimeEngine(), createOpenvinoEngine()];
  const cells: Cell[] = [];
  for (const model of models) {
    for (const concurrency of [1, 2]) {
      for (const engine of engines) cells.push(await benchCell(engine, model, concurrency));
    }
  }
  console.log(`\nRaw engines in process, ${secondsPerCell} s per cell (nireq = concurrency):`);
  console.log('  model                       engine        conc    p50 ms    p99 ms    infer/s');
  for (const cell of cells) {
    console.log(
      `  ${cell.model.padEnd(27)} ${cell.engine.padEnd(12)} ${String(cell.concurrency).padStart(5)} ` +
        `${cell.p50Ms.toFixed(3).padStart(9)} ${cell.p99Ms.toFixed(3).padStart(9)} ${cell.perSecond.toFixed(1).padStart(10)}`,
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
