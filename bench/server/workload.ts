// What every process of the server bench agrees on: the models, their inputs (the same
// bytes in the raw engine and on every wire format) and the measuring loop.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNumericTensor, type TensorMap } from '@ovms/core';
import { ModelInferRequest } from '@ovms/proto';

/**
 * The workloads: a tiny model (overhead), a dense MLP at batch 1 and 32 (one model file, two
 * input shapes) and a compute-bound one (throughput).
 */
export type BenchModelName =
  'add' | 'add4k' | 'mlp' | 'mlp32' | 'det' | 'heavy' | 'heavy16' | 'heavy_batched';

export interface BenchInput {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface BenchModel {
  /** The served model's name (mlp and mlp32 send different shapes to the same model). */
  readonly name: string;
  readonly label: string;
  readonly inputs: readonly BenchInput[];
}

export const BENCH_MODELS: Readonly<Record<BenchModelName, BenchModel>> = {
  add: {
    name: 'add',
    label: 'add_f32 1x4',
    inputs: [
      { name: 'a', shape: [1, 4] },
      { name: 'b', shape: [1, 4] },
    ],
  },
  // The same model at batch 256: 4 KB per input and 4 KB out, where transport work dominates.
  add4k: {
    name: 'add',
    label: 'add_f32 256x4 (4 KB per tensor)',
    inputs: [
      { name: 'a', shape: [256, 4] },
      { name: 'b', shape: [256, 4] },
    ],
  },
  mlp: {
    name: 'mlp',
    label: 'MLP 256-512-10 batch 1',
    inputs: [{ name: 'x', shape: [1, 256] }],
  },
  mlp32: {
    name: 'mlp',
    label: 'MLP 256-512-10 batch 32',
    inputs: [{ name: 'x', shape: [32, 256] }],
  },
  det: {
    name: 'det',
    label: 'PP-OCRv4 det 1x3x640x640',
    inputs: [{ name: 'x', shape: [1, 3, 640, 640] }],
  },
  // The dynamic batching bench (bench/batching): one compute-bound model served twice.
  heavy: {
    name: 'heavy',
    label: 'MLP 1024-4096-4096-1024 batch 1',
    inputs: [{ name: 'x', shape: [1, 1024] }],
  },
  heavy16: {
    name: 'heavy',
    label: 'MLP 1024-4096-4096-1024 batch 16',
    inputs: [{ name: 'x', shape: [16, 1024] }],
  },
  heavy_batched: {
    name: 'heavy_batched',
    label: 'MLP 1024-4096-4096-1024 batch 1, dynamic batching',
    inputs: [{ name: 'x', shape: [1, 1024] }],
  },
};

/** A KServe ModelInferRequest of `model`'s inputs as `raw_input_contents`, encoded once. */
export function kserveInferMessage(model: BenchModel): Uint8Array {
  return ModelInferRequest.encode(
    ModelInferRequest.fromPartial({
      modelName: model.name,
      inputs: model.inputs.map((input) => ({
        name: input.name,
        datatype: 'FP32',
        shape: input.shape.map(BigInt),
      })),
      rawInputContents: model.inputs.map(
        (input, index) => new Uint8Array(inputValues(input, index).buffer),
      ),
    }),
  ).finish();
}

/** Deterministic FP32 values in [0, 1), as bench/engines uses. */
export function inputValues(input: BenchInput, seed: number): Float32Array {
  const count = input.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (((i + seed) * 37) % 255) / 255;
  return values;
}

export function inputTensors(model: BenchModel): TensorMap {
  const map: TensorMap = new Map();
  model.inputs.forEach((input, index) => {
    const values = inputValues(input, index);
    map.set(
      input.name,
      createNumericTensor('FP32', [...input.shape], new Uint8Array(values.buffer)),
    );
  });
  return map;
}

/** One measured cell, as a child process reports it to run.ts. */
export interface CellResult {
  readonly requests: number;
  readonly seconds: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  /** CPU time of the reporting process over the cell (user + system, every thread). */
  readonly cpuUs: number;
}

/** Latencies kept per cell; a cell at 100k req/s for 10 s still fits. */
const MAX_SAMPLES = 1_000_000;
// Enough requests for V8 to optimise a fresh server's request path before a cell counts, cut
// short for slow paths (JSON of a 4.9 MB input).
const WARMUP_REQUESTS = 2_000;
const WARMUP_MAX_MS = 1_000;

/** Up to WARMUP_REQUESTS requests over the loops, or WARMUP_MAX_MS, whichever ends first. */
async function warmUp(send: () => Promise<unknown>, inflight: number): Promise<void> {
  const warmupEnd = performance.now() + WARMUP_MAX_MS;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      for (let i = 0; i < Math.ceil(WARMUP_REQUESTS / inflight); i++) {
        await send();
        if (performance.now() > warmupEnd) break;
      }
    }),
  );
}

function percentileUs(sorted: Float64Array, count: number, p: number): number {
  if (count === 0) return NaN;
  return sorted[Math.min(count - 1, Math.floor((p / 100) * count))]! * 1000;
}

/**
 * Runs `send` with `inflight` requests outstanding for `seconds` (after a short warm-up) and
 * reports throughput, p50/p99 latency and this process's CPU time. Each of the `inflight`
 * loops starts its next request as soon as its previous one answers (closed loop).
 */
export async function measureClosedLoop(
  send: () => Promise<unknown>,
  inflight: number,
  seconds: number,
): Promise<CellResult> {
  await warmUp(send, inflight);
  const latencies = new Float64Array(MAX_SAMPLES);
  let count = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline && count < MAX_SAMPLES) {
      const t0 = performance.now();
      await send();
      latencies[count++] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, count).sort();
  return {
    requests: count,
    seconds: elapsed,
    p50Us: percentileUs(sorted, count, 50),
    p90Us: percentileUs(sorted, count, 90),
    p99Us: percentileUs(sorted, count, 99),
    cpuUs: cpu.user + cpu.system,
  };
}

/** Requests an open loop lets wait at once; past it the target is overloaded and the cell says so. */
const MAX_OUTSTANDING = 1024;
const TICK_MS = 1;

/**
 * Sends `rate` requests per second for `seconds` (after a short warm-up), whether or not earlier
 * ones have answered (open loop), so a target that falls behind queues them and its latency
 * shows it. Latency counts from when each request went out: the client never holds a request
 * back for an answer, only for its timer (1 ms resolution), so that wait is not the target's.
 * Throws if more than MAX_OUTSTANDING requests are pending: the rate is past the target's limit.
 */
export async function measureFixedRate(
  send: () => Promise<unknown>,
  rate: number,
  seconds: number,
): Promise<CellResult> {
  await warmUp(send, 1);
  const total = Math.min(MAX_SAMPLES, Math.max(1, Math.round(rate * seconds)));
  const latencies = new Float64Array(total);
  let count = 0;
  let outstanding = 0;
  let failure: Error | undefined;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const intervalMs = 1000 / rate;
  const fire = (): void => {
    outstanding++;
    const sentAt = performance.now();
    send().then(
      () => {
        latencies[count++] = performance.now() - sentAt;
        outstanding--;
      },
      (error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
        outstanding--;
      },
    );
  };
  // Bounded: one pass per tick, each firing the requests whose time has come.
  let sent = 0;
  const maxTicks = Math.ceil((seconds * 1000) / TICK_MS) * 4 + 1000;
  for (let tick = 0; tick < maxTicks && sent < total; tick++) {
    const now = performance.now();
    for (; sent < total && started + sent * intervalMs <= now; sent++) {
      fire();
    }
    if (failure !== undefined) throw failure;
    if (outstanding > MAX_OUTSTANDING)
      throw new Error(`over ${MAX_OUTSTANDING} requests outstanding at ${rate} req/s`);
    await sleep(TICK_MS);
  }
  for (let i = 0; i < 60_000 / TICK_MS && outstanding > 0; i++) await sleep(TICK_MS);
  if (failure !== undefined) throw failure;
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, count).sort();
  return {
    requests: count,
    seconds: elapsed,
    p50Us: percentileUs(sorted, count, 50),
    p90Us: percentileUs(sorted, count, 90),
    p99Us: percentileUs(sorted, count, 99),
    cpuUs: cpu.user + cpu.system,
  };
}
