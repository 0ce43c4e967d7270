// Throughput of the gRPC tensor codecs on a 1x3x224x224 FP32 image (602,112 bytes): the wire
// decode plus the Tensor decode, for each way a client can send it, and the encode paths.
// Run: node --conditions=@ovms/source --import tsx bench/codecs/grpc.ts
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  decodeInferInputs,
  decodeTensorProto,
  encodeInferOutputs,
  encodeTensorProto,
  tensorShapeProto,
} from '@ovms/codecs';
import {
  DataType,
  ModelInferRequest,
  ModelInferResponse,
  PredictRequest,
  PredictResponse,
  TensorProto,
} from '@ovms/proto';
import type { Tensor } from '@ovms/core';

export interface GrpcCodecBenchResult {
  path: string;
  mbPerSec: number;
}

const SHAPE = [1, 3, 224, 224];
const BUDGET_MS = 300;
const MAX_ITERATIONS = 5_000;

function imageTensor(): Tensor & { dtype: 'FP32' } {
  const values = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i));
  return { dtype: 'FP32', shape: SHAPE, data: new Uint8Array(values.buffer) };
}

/** Runs `fn` for about BUDGET_MS after a short warm-up; MB/s of tensor payload handled. */
async function measure(path: string, payloadBytes: number, fn: () => number) {
  let sink = 0;
  for (let i = 0; i < 3; i++) sink += fn();
  await nextTurn();
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS && iterations < MAX_ITERATIONS) {
    sink += fn();
    iterations++;
    elapsed = performance.now() - start;
  }
  if (sink < 0) throw new Error('unreachable: keeps the work observable');
  return { path, mbPerSec: (payloadBytes * iterations) / (elapsed / 1000) / 1e6 };
}

export async function runGrpcCodecBench(): Promise<GrpcCodecBenchResult[]> {
  const tensor = imageTensor();
  const floats = [...new Float32Array(tensor.data.buffer)];
  const size = tensor.data.byteLength;
  const tensorShape = tensorShapeProto(SHAPE);

  const tfsContent = PredictRequest.encode(
    PredictRequest.fromPartial({ inputs: { x: encodeTensorProto(tensor) } }),
  ).finish();
  const tfsTyped = PredictRequest.encode(
    PredictRequest.fromPartial({
      inputs: {
        x: TensorProto.fromPartial({ dtype: DataType.DT_FLOAT, tensorShape, floatVal: floats }),
      },
    }),
  ).finish();
  const input = { name: 'x', datatype: 'FP32', shape: SHAPE.map(BigInt) };
  const kserveRaw = ModelInferRequest.encode(
    ModelInferRequest.fromPartial({ inputs: [input], rawInputContents: [tensor.data] }),
  ).finish();
  const kserveTyped = ModelInferRequest.encode(
    ModelInferRequest.fromPartial({ inputs: [{ ...input, contents: { fp32Contents: floats } }] }),
  ).finish();
  const outputs = new Map([['y', tensor]]);

  const tfsDecode = (bytes: Uint8Array) => () => {
    const proto = PredictRequest.decode(bytes).inputs['x'];
    if (proto === undefined) throw new Error('input x missing');
    return decodeTensorProto(proto, 'x').shape.length;
  };
  const kserveDecode = (bytes: Uint8Array) => () =>
    decodeInferInputs(ModelInferRequest.decode(bytes)).size;

  const cases: [string, () => number][] = [
    ['TFS decode tensor_content', tfsDecode(tfsContent)],
    ['TFS decode float_val', tfsDecode(tfsTyped)],
    ['KServe decode raw_input_contents', kserveDecode(kserveRaw)],
    ['KServe decode fp32_contents', kserveDecode(kserveTyped)],
    [
      'TFS encode tensor_content',
      () =>
        PredictResponse.encode({
          modelSpec: undefined,
          outputs: { y: encodeTensorProto(tensor) },
        }).finish().byteLength,
    ],
    [
      'KServe encode raw_output_contents',
      () =>
        ModelInferResponse.encode(
          ModelInferResponse.fromPartial(encodeInferOutputs(outputs)),
        ).finish().byteLength,
    ],
  ];
  const results: GrpcCodecBenchResult[] = [];
  for (const [path, fn] of cases) results.push(await measure(path, size, fn));
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runGrpcCodecBench();
  console.log('gRPC codecs, 1x3x224x224 FP32 (MB/s of tensor payload, wire + Tensor):');
  for (const { path, mbPerSec } of results) {
    console.log(`  ${path.padEnd(36)} ${mbPerSec.toFixed(0).padStart(8)} MB/s`);
  }
}
