/**
 * REST codec throughput on FP32 tensors: an ImageNet image (1×3×224×224, 588 KiB), 1 MB and
 * 10 MB, decoded and encoded through TF Serving REST column and row JSON, KServe JSON and the
 * KServe binary extension. Requests come in the two number texts clients send: the shortest
 * float32 text (what ovms-ts writes) and the double expansion of each float32 (what
 * JSON.stringify of a Float32Array's values and numpy's tolist() write,
 * 0.10000000149011612). Beside them, in the same run, the references a decoder or encoder
 * built on the runtime would pay: JSON.parse of the body plus a copy into a Float32Array,
 * and JSON.stringify of the values as a JS array. MB/s counts tensor bytes (4 per element),
 * not body bytes, so every path compares directly; each row gives wall-clock and CPU-time
 * rates, as the CPU figure holds better on a machine shared with other work. FP32 numbers are
 * read and written by the WebAssembly module of @ovms/codecs (its TypeScript fallback where
 * WebAssembly is off); the header says which, and the load average the figures were taken at.
 *
 *   node --conditions=@ovms/source --import tsx bench/codecs/rest.ts
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  float32JsonPath,
  decodeKServeInferRequest,
  decodeTfsPredictRequest,
  encodeKServeInferResponse,
  encodeTfsPredictResponse,
} from '@ovms/codecs';
import type { Tensor } from '@ovms/core';

export interface RestCodecBenchResult {
  path: string;
  /** Tensor MB per second of wall-clock time. */
  mbPerSec: number;
  /** Tensor MB per second of this process's CPU time. */
  cpuMbPerSec: number;
}

const SIZES: ReadonlyArray<{ label: string; shape: readonly number[] }> = [
  { label: '1x3x224x224', shape: [1, 3, 224, 224] },
  { label: '1 MB', shape: [1, 256, 1024] },
  { label: '10 MB', shape: [10, 256, 1024] },
];
const TIME_PER_PATH_MS = 400;
const MAX_ITERATIONS = 200;
const MIN_ITERATIONS = 3;

/** Model-output-like values: mostly in ±1, some larger, a few tiny. */
function values(count: number): Float32Array {
  const out = new Float32Array(count);
  let state = 12345;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const unit = state / 2 ** 32;
    out[i] = (unit * 2 - 1) * (i % 16 === 0 ? 100 : 1);
  }
  return out;
}

function measure(tensorBytes: number, run: () => unknown): { wall: number; cpu: number } {
  run(); // warm-up, and lets the JIT see the hot loops
  let iterations = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (
    iterations < MIN_ITERATIONS ||
    (elapsed < TIME_PER_PATH_MS && iterations < MAX_ITERATIONS)
  ) {
    run();
    iterations += 1;
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const mb = (tensorBytes * iterations) / 1e6;
  return { wall: mb / (elapsed / 1000), cpu: mb / (cpuMs / 1000) };
}

/** Copies a JSON.parse result into a typed array, as a decoder built on JSON.parse must. */
function flattenInto(value: unknown, out: Float32Array, at: number): number {
  if (!Array.isArray(value)) {
    out[at] = value as number;
    return at + 1;
  }
  let next = at;
  for (const item of value) next = flattenInto(item, out, next);
  return next;
}

/** Nests flat values by `shape`, as a client builds TF Serving JSON. */
function nest(flat: readonly number[], shape: readonly number[], offset = 0): unknown {
  const [dim = 0, ...inner] = shape;
  if (inner.length === 0) return flat.slice(offset, offset + dim);
  const stride = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: dim }, (_, i) => nest(flat, inner, offset + i * stride));
}

const utf8 = new TextEncoder();
const textOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The request bodies of one tensor in both number texts. */
function bodies(tensor: Tensor & { dtype: 'FP32' }, floats: Float32Array) {
  const outputs = new Map([['x', tensor]]);
  const shortest = {
    column: utf8.encode(
      textOf(encodeTfsPredictResponse(outputs, 'column')).replace('"outputs"', '"inputs"'),
    ),
    row: utf8.encode(
      textOf(encodeTfsPredictResponse(outputs, 'row')).replace('"predictions"', '"instances"'),
    ),
    kserve: utf8.encode(
      textOf(encodeKServeInferResponse({ modelName: 'm', outputs }).body).replace(
        '"outputs"',
        '"inputs"',
      ),
    ),
  };
  const doubles = Array.from(floats);
  const nested = nest(doubles, tensor.shape);
  const double = {
    column: utf8.encode(JSON.stringify({ inputs: nested })),
    row: utf8.encode(JSON.stringify({ instances: nested })),
    kserve: utf8.encode(
      JSON.stringify({
        inputs: [{ name: 'x', datatype: 'FP32', shape: tensor.shape, data: doubles }],
      }),
    ),
  };
  return { shortest, double, doubles };
}

function kserveBinary(outputs: ReadonlyMap<string, Tensor>) {
  const response = encodeKServeInferResponse({ modelName: 'm', outputs, binaryDataOutput: true });
  const split = response.inferenceHeaderContentLength ?? response.body.byteLength;
  const json = utf8.encode(
    textOf(response.body.subarray(0, split)).replace('"outputs"', '"inputs"'),
  );
  const body = new Uint8Array(json.byteLength + response.body.byteLength - split);
  body.set(json);
  body.set(response.body.subarray(split), json.byteLength);
  return { body, header: String(json.byteLength) };
}

export async function runRestCodecBench(): Promise<RestCodecBenchResult[]> {
  const results: RestCodecBenchResult[] = [];
  for (const { label, shape } of SIZES) {
    const count = shape.reduce((a, b) => a * b, 1);
    const floats = values(count);
    const tensor = { dtype: 'FP32', shape, data: new Uint8Array(floats.buffer) } as const;
    const outputs = new Map([['x', tensor]]);
    const specs = [{ name: 'x', dtype: 'FP32', shape }] as const;
    const { shortest, double, doubles } = bodies(tensor, floats);
    const binary = kserveBinary(outputs);
    const scratch = new Float32Array(count);
    const parseCopy = (body: Uint8Array, pick: (json: never) => unknown) => () =>
      flattenInto(pick(JSON.parse(textOf(body)) as never), scratch, 0);
    const kserveData = (json: { inputs: [{ data: unknown }] }) => json.inputs[0].data;
    const columnData = (json: { inputs: unknown }) => json.inputs;

    const paths: Array<[string, () => unknown]> = [];
    for (const [text, set] of [
      ['float32 text', shortest],
      ['double text', double],
    ] as const) {
      paths.push(
        [`decode TFS column JSON, ${text}`, () => decodeTfsPredictRequest(set.column, specs)],
        [`decode TFS row JSON, ${text}`, () => decodeTfsPredictRequest(set.row, specs)],
        [`decode KServe JSON, ${text}`, () => decodeKServeInferRequest(set.kserve, undefined)],
        [`reference: JSON.parse+copy TFS column, ${text}`, parseCopy(set.column, columnData)],
        [`reference: JSON.parse+copy KServe, ${text}`, parseCopy(set.kserve, kserveData)],
      );
    }
    paths.push(
      ['decode KServe binary', () => decodeKServeInferRequest(binary.body, binary.header)],
      ['encode TFS column JSON', () => encodeTfsPredictResponse(outputs, 'column')],
      ['encode TFS row JSON', () => encodeTfsPredictResponse(outputs, 'row')],
      ['encode KServe JSON', () => encodeKServeInferResponse({ modelName: 'm', outputs })],
      ['reference: JSON.stringify of the values', () => JSON.stringify(doubles)],
      [
        'encode KServe binary',
        () => encodeKServeInferResponse({ modelName: 'm', outputs, binaryDataOutput: true }),
      ],
    );
    for (const [path, run] of paths) {
      const { wall, cpu } = measure(count * 4, run);
      results.push({ path: `${label} ${path}`, mbPerSec: wall, cpuMbPerSec: cpu });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runRestCodecBench();
  console.log(
    `REST codecs, FP32, MB/s of tensor data (wall clock, CPU time); FP32 text path: ${float32JsonPath()}; load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  for (const { path, mbPerSec, cpuMbPerSec } of results) {
    console.log(
      `${path.padEnd(64)} ${mbPerSec.toFixed(0).padStart(7)} ${cpuMbPerSec.toFixed(0).padStart(7)}`,
    );
  }
}
