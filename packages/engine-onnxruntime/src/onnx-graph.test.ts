import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { encodeMlpOnnxModel } from '@ovms/testing';
import {
  decodeModel,
  graphInputs,
  graphOutputNames,
  rewriteModel,
  valueNames,
} from './onnx-graph.js';

const { onnx } = onnxProto;
const MLP = { inputSize: 8, hiddenSize: 4, outputSize: 2 } as const;

/** The MLP with a declared intermediate shape and its weight also listed as a graph input (IR < 4 style). */
function mlpWithExtras(): Uint8Array {
  const model = decodeModel(encodeMlpOnnxModel({ ...MLP, batch: 1 }));
  const graph = model.graph as InstanceType<typeof onnx.GraphProto>;
  const float = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } },
    });
  graph.valueInfo.push(float('h1', [1, 4]));
  graph.input.push(float('w1', [8, 4]));
  return onnx.ModelProto.encode(model).finish();
}

function dimsOf(value: {
  type?: { tensorType?: { shape?: { dim?: object[] | null } | null } | null } | null;
}) {
  return (value.type?.tensorType?.shape?.dim ?? []).map((dim) => ({ ...dim }));
}

describe('reading a ModelProto', () => {
  it('lists the inputs a session asks for, with sizes and symbols, initializers left out', () => {
    const model = decodeModel(mlpWithExtras());
    expect(graphInputs(model)).toEqual([{ name: 'x', dims: [1, 8] }]);
    expect(graphInputs(decodeModel(encodeMlpOnnxModel(MLP)))).toEqual([
      { name: 'x', dims: ['batch', 8] },
    ]);
    expect(graphOutputNames(model)).toEqual(['y']);
    expect(valueNames(model)).toEqual(
      new Set(['x', 'w1', 'y', 'h1', 'b1', 'w2', 'b2', 'h2', 'h3', 'h4']),
    );
  });

  it('keeps the weights as views of the file bytes: decoding copies none', () => {
    const bytes = encodeMlpOnnxModel(MLP);
    const weights = decodeModel(bytes).graph?.initializer?.[0]?.rawData;
    expect(weights?.byteLength).toBe(8 * 4 * 4);
    expect(weights?.buffer).toBe(bytes.buffer);
  });
});

describe('rewriteModel', () => {
  it('writes new input dims, drops stale intermediate shapes and the output dims (keeping rank)', () => {
    const out = decodeModel(
      rewriteModel(decodeModel(mlpWithExtras()), [{ name: 'x', dims: [3, 8] }], true),
    );
    const graph = out.graph;
    expect(graphInputs(out)).toEqual([{ name: 'x', dims: [3, 8] }]);
    expect(dimsOf(graph?.output?.[0] ?? {})).toEqual([{}, {}]);
    expect(graph?.valueInfo?.[0]?.type?.tensorType?.shape).toBeNull();
    expect(graph?.initializer?.map((tensor) => tensor.rawData?.byteLength)).toEqual([
      128, 16, 32, 8,
    ]);
  });

  it('leaves the declared shapes alone when no dims changed', () => {
    const out = decodeModel(rewriteModel(decodeModel(mlpWithExtras()), [], false));
    expect(dimsOf(out.graph?.output?.[0] ?? {})).toHaveLength(2);
    expect(out.graph?.output?.[0]?.type?.tensorType?.shape?.dim?.[0]?.dimValue).toBeTruthy();
    expect(out.graph?.valueInfo?.[0]?.type?.tensorType?.shape?.dim).toHaveLength(2);
  });

  it('writes symbols and unnamed dims, and ORT infers the outputs from them', async () => {
    const bytes = rewriteModel(
      decodeModel(encodeMlpOnnxModel({ ...MLP, batch: 1 })),
      [{ name: 'x', dims: ['ovms_auto_0_0', 8] }],
      true,
    );
    expect(graphInputs(decodeModel(bytes))).toEqual([{ name: 'x', dims: ['ovms_auto_0_0', 8] }]);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.outputMetadata).toMatchObject([{ name: 'y', shape: ['ovms_auto_0_0', 2] }]);
    const run = await session.run({
      x: new ort.Tensor('float32', new Float32Array(5 * 8), [5, 8]),
    });
    expect(run['y']?.dims).toEqual([5, 2]);
    await session.release();
  });

  it('puts a Transpose in front of a renamed input, first among the nodes', async () => {
    const model = decodeModel(encodeMlpOnnxModel({ ...MLP, batch: 1 }));
    const bytes = rewriteModel(
      model,
      [{ name: 'x', dims: [8, 1], transpose: { perm: [1, 0], feedName: 'x/CN' } }],
      false,
    );
    const graph = decodeModel(bytes).graph;
    expect(graphInputs(decodeModel(bytes))).toEqual([{ name: 'x/CN', dims: [8, 1] }]);
    const [first] = graph?.node ?? [];
    expect(first).toMatchObject({ opType: 'Transpose', input: ['x/CN'], output: ['x'] });
    expect(first?.attribute?.[0]?.ints?.map(Number)).toEqual([1, 0]);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['x/CN']);
    const run = await session.run({
      'x/CN': new ort.Tensor('float32', new Float32Array(8), [8, 1]),
    });
    expect(run['y']?.dims).toEqual([1, 2]);
    await session.release();
  });

  it('refuses an input that is not in the graph', () => {
    const model = decodeModel(encodeMlpOnnxModel(MLP));
    expect(() => rewriteModel(model, [{ name: 'q', dims: [1] }], true)).toThrow(
      'graph input q is not a tensor',
    );
  });
});
