import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: Node exposes only its default export to ESM.
const { onnx } = onnxProto;

export interface MlpModelOptions {
  /** Features per row of the input `x` [batch, inputSize]. */
  readonly inputSize: number;
  /** One hidden layer's width, or several (each followed by a Relu), in order. */
  readonly hiddenSize: number | readonly number[];
  /** Columns of the output `y` [batch, outputSize]. */
  readonly outputSize: number;
  /** A fixed batch size (a model exported for one shape); default a dynamic `batch`. */
  readonly batch?: number;
}

/** Deterministic weights in [-0.5, 0.5): benches compare engines on identical models. */
function weights(count: number, seed: number): Uint8Array {
  const values = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 32 - 0.5;
  }
  return new Uint8Array(values.buffer);
}

/**
 * A perceptron (MatMul, Add, Relu per hidden layer, then MatMul, Add) as ONNX, for benchmarks:
 * small enough that per-request overhead shows, real enough that both engines run their kernels;
 * several wide hidden layers make it compute-bound (the dynamic batching bench).
 */
export function encodeMlpOnnxModel(options: MlpModelOptions): Uint8Array {
  const { inputSize, hiddenSize, outputSize, batch = 'batch' } = options;
  const sizes = [
    inputSize,
    ...(typeof hiddenSize === 'number' ? [hiddenSize] : hiddenSize),
    outputSize,
  ];
  const layers = sizes.slice(1).map((to, i) => ({
    from: sizes[i]!,
    to,
    input: i === 0 ? 'x' : `h${3 * i}`,
  }));
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const initializer = (name: string, dims: number[], seed: number) => ({
    name,
    dims,
    dataType: FLOAT,
    rawData: weights(
      dims.reduce((a, b) => a * b, 1),
      seed,
    ),
  });
  const tensor = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    producerName: '@ovms/testing',
    graph: {
      name: 'mlp',
      input: [tensor('x', [batch, inputSize])],
      output: [tensor('y', [batch, outputSize])],
      initializer: layers.flatMap((layer, i) => [
        initializer(`w${i + 1}`, [layer.from, layer.to], 2 * i + 1),
        initializer(`b${i + 1}`, [layer.to], 2 * i + 2),
      ]),
      node: layers.flatMap((layer, i) => {
        // Intermediate values are h1, h2, … in order: a one-hidden-layer model keeps its names.
        const n = i + 1;
        const h = (k: number) => `h${3 * i + k}`;
        const last = n === layers.length;
        return [
          { name: `fc${n}`, opType: 'MatMul', input: [layer.input, `w${n}`], output: [h(1)] },
          { name: `bias${n}`, opType: 'Add', input: [h(1), `b${n}`], output: [last ? 'y' : h(2)] },
          ...(last
            ? []
            : [
                {
                  name: n === 1 ? 'relu' : `relu${n}`,
                  opType: 'Relu',
                  input: [h(2)],
                  output: [h(3)],
                },
              ]),
        ];
      }),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the MLP as `model.onnx` into a version directory. */
export async function writeMlpModel(versionDir: string, options: MlpModelOptions): Promise<void> {
  await mkdir(versionDir, { recursive: true });
  await writeFile(join(versionDir, 'model.onnx'), encodeMlpOnnxModel(options));
}

/**
 * A classifier-shaped image model: NHWC FP32 images [batch, height, width, channels] in, the
 * mean of each channel [batch, channels] out (ReduceMean over H and W), so a bench moves
 * image-sized requests and classifier-sized answers.
 */
export function encodeImageMeanOnnxModel(height: number, width: number, channels = 3): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: '@ovms/testing',
    graph: {
      name: 'image_mean',
      input: [tensor('image', ['batch', height, width, channels])],
      output: [tensor('mean', ['batch', channels])],
      node: [
        {
          name: 'mean',
          opType: 'ReduceMean',
          input: ['image'],
          output: ['mean'],
          attribute: [
            { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 2] },
            { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
          ],
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
