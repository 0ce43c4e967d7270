/**
 * REST codec throughput: decode and encode of one 1×3×224×224 FP32 tensor (an ImageNet image)
 * through TF Serving REST column and row JSON, KServe JSON and the KServe binary extension,
 * with JSON.parse plus a copy into a Float32Array as the reference a naive decoder would pay.
 * MB/s counts tensor bytes (602,112 per run), not body bytes, so the paths compare directly.
 *
 *   node --conditions=@ovms/source --import tsx bench/codecs/rest.ts
 */
import { pathToFileURL } from 'node:url';
import {
  decodeKServeInferRequest,
  decodeTfsPredictRequest,
  encodeKServeInferResponse,
  encodeTfsPredictResponse,
} from '@ovms/codecs';
import type { Tensor } from '@ovms/core';

const SHAPE = [1, 3, 224, 224];
const ELEMENTS = SHAPE.reduce((a, b) => a * b, 1);
const TENSOR_BYTES = ELEMENTS * 4;
const TIME_PER_PATH_MS = 400;
const MAX_ITERATIONS = 200;

function image(): Tensor {
  const values = new Float32Array(ELEMENTS);
  for (let i = 0; i < ELEMENTS; i++) values[i] = Math.random() * 2 - 1;
  return { dtype: 'FP32', shape: SHAPE, data: new Uint8Array(values.buffer) };
}

function measure(run: () => unknown): number {
  run(); // warm-up, and lets the JIT see the hot loops
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < TIME_PER_PATH_MS && iterations < MAX_ITERATIONS) {
    run();
    iterations += 1;
    elapsed = performance.now() - start;
  }
  return (TENSOR_BYTES * iterations) / 1e6 / (elapsed / 1000);
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

export async function runRestCodecBench(): Promise<Array<{ path: string; mbPerSec: number }>> {
  const tensor = image();
  const outputs = new Map([['x', tensor]]);
  const specs = [{ name: 'x', dtype: 'FP32', shape: SHAPE }] as const;
  const utf8 = new TextEncoder();

  const column = utf8.encode(
    encodeTfsPredictResponse(outputs, 'column').replace('"outputs"', '"inputs"'),
  );
  const row = utf8.encode(
    encodeTfsPredictResponse(outputs, 'row').replace('"predictions"', '"instances"'),
  );
  const asRequest = (binary: boolean) => {
    const response = encodeKServeInferResponse({
      modelName: 'm',
      outputs,
      binaryDataOutput: binary,
    });
    const split = response.inferenceHeaderContentLength ?? response.body.byteLength;
    const json = utf8.encode(
      new TextDecoder().decode(response.body.subarray(0, split)).replace('"outputs"', '"inputs"'),
    );
    const body = new Uint8Array(json.byteLength + response.body.byteLength - split);
    body.set(json);
    body.set(response.body.subarray(split), json.byteLength);
    return { body, header: binary ? String(json.byteLength) : undefined };
  };
  const kserveJson = asRequest(false);
  const kserveBinary = asRequest(true);
  const scratch = new Float32Array(ELEMENTS);
  const textOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  const paths: Array<[string, () => unknown]> = [
    ['decode TFS column JSON', () => decodeTfsPredictRequest(column, specs)],
    ['decode TFS row JSON', () => decodeTfsPredictRequest(row, specs)],
    ['decode KServe JSON', () => decodeKServeInferRequest(kserveJson.body, undefined)],
    [
      'decode KServe binary',
      () => decodeKServeInferRequest(kserveBinary.body, kserveBinary.header),
    ],
    [
      'reference: JSON.parse+copy TFS column',
      () => flattenInto((JSON.parse(textOf(column)) as { inputs: unknown }).inputs, scratch, 0),
    ],
    [
      'reference: JSON.parse+copy KServe JSON',
      () =>
        flattenInto(
          (JSON.parse(textOf(kserveJson.body)) as { inputs: [{ data: unknown }] }).inputs[0].data,
          scratch,
          0,
        ),
    ],
    ['encode TFS column JSON', () => encodeTfsPredictResponse(outputs, 'column')],
    ['encode TFS row JSON', () => encodeTfsPredictResponse(outputs, 'row')],
    ['encode KServe JSON', () => encodeKServeInferResponse({ modelName: 'm', outputs })],
    [
      'encode KServe binary',
      () => encodeKServeInferResponse({ modelName: 'm', outputs, binaryDataOutput: true }),
    ],
  ];
  const results: Array<{ path: string; mbPerSec: number }> = [];
  for (const [path, run] of paths) {
    results.push({ path, mbPerSec: measure(run) });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runRestCodecBench();
  console.log(
    `REST codecs, FP32 ${SHAPE.join('×')} (${TENSOR_BYTES} tensor bytes), MB/s of tensor data`,
  );
  for (const { path, mbPerSec } of results) {
    console.log(`${path.padEnd(42)} ${mbPerSec.toFixed(1).padStart(10)}`);
  }
}
