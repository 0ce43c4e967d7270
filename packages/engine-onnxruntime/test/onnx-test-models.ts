import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: Node exposes only its default export to ESM.
const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Models that show what a rewrite cannot fix, written the way exporters write them. */

function tensor(name: string, dims: readonly (number | string)[]) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

function ones(count: number): Uint8Array {
  return new Uint8Array(new Float32Array(count).fill(1).buffer);
}

async function write(dir: string, graph: object): Promise<string> {
  await mkdir(dir, { recursive: true });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph,
  });
  const file = join(dir, 'model.onnx');
  await writeFile(file, onnx.ModelProto.encode(model).finish());
  return file;
}

/**
 * x [1,1024] → Reshape to a baked `target` → MatMul with ones [1024,2] → y. With target
 * [1,1024] every other batch size fails only when the Reshape runs; with [1,-1] a batch of 3
 * makes [1,3072], which the MatMul's shape inference refuses when the session is created.
 */
export function writeReshapeModel(dir: string, target: readonly number[]): Promise<string> {
  return write(dir, {
    name: 'baked_reshape',
    input: [tensor('x', [1, 1024])],
    output: [tensor('y', [1, 2])],
    initializer: [
      {
        name: 'target',
        dims: [target.length],
        dataType: INT64,
        rawData: new Uint8Array(new BigInt64Array(target.map(BigInt)).buffer),
      },
      { name: 'w', dims: [1024, 2], dataType: FLOAT, rawData: ones(1024 * 2) },
    ],
    node: [
      { name: 'flatten', opType: 'Reshape', input: ['x', 'target'], output: ['flat'] },
      { name: 'dense', opType: 'MatMul', input: ['flat', 'w'], output: ['y'] },
    ],
  });
}

/**
 * x [1,4] · w [4,2] with w in `weights.bin` beside the model (ONNX external data), every
 * weight 1: each output is the sum of its row.
 */
export async function writeExternalDataModel(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin'), ones(4 * 2));
  return write(dir, {
    name: 'external',
    input: [tensor('x', [1, 4])],
    output: [tensor('y', [1, 2])],
    initializer: [
      {
        name: 'w',
        dims: [4, 2],
        dataType: FLOAT,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: 'weights.bin' },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(4 * 2 * 4) },
        ],
      },
    ],
    node: [{ name: 'dense', opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
  });
}
