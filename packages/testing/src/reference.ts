import {
  TYPED_ARRAY_OF,
  bytesOf,
  createNumericTensor,
  elementCount,
  typedView,
  type NumericDataType,
  type NumericTensor,
  type TensorMap,
} from '@ovms/core';
import type { FixtureGraph, GraphOp } from './fixture-graphs.js';
import { fromFloat16Bits, toFloat16Bits } from './float16.js';
import { encodeValues } from './values.js';

interface Value {
  readonly dtype: NumericDataType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** numpy broadcast of two shapes, as both ONNX and OpenVINO (`auto_broadcast="numpy"`) do. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`cannot broadcast (${a.join(',')}) with (${b.join(',')})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat index into a (possibly broadcast) operand for each flat index of the output. */
function sourceIndex(outShape: readonly number[], shape: readonly number[], flat: number): number {
  let index = 0;
  let stride = 1;
  let rest = flat;
  for (let axis = outShape.length - 1; axis >= 0; axis--) {
    const outDim = outShape[axis] ?? 1;
    const coordinate = rest % outDim;
    rest = Math.floor(rest / outDim);
    const dim = shape[axis - (outShape.length - shape.length)] ?? 1;
    if (axis - (outShape.length - shape.length) >= 0) {
      index += (dim === 1 ? 0 : coordinate) * stride;
      stride *= dim;
    }
  }
  return index;
}

function elementwise(op: GraphOp, a: Value, b: Value): Value {
  const shape = broadcastShape(a.shape, b.shape);
  const count = elementCount(shape);
  const x = typedView(a.dtype, a.data);
  const y = typedView(b.dtype, b.data);
  const out = new TYPED_ARRAY_OF[a.dtype](count);
  const half = a.dtype === 'FP16';
  for (let i = 0; i < count; i++) {
    const xi = x[sourceIndex(shape, a.shape, i)] ?? 0;
    const yi = y[sourceIndex(shape, b.shape, i)] ?? 0;
    out[i] = combine(op, xi, yi, half);
  }
  return { dtype: a.dtype, shape, data: bytesOf(out) };
}

function combine(op: GraphOp, x: number | bigint, y: number | bigint, half: boolean) {
  if (typeof x === 'bigint' && typeof y === 'bigint') return op === 'Sub' ? x - y : x + y;
  let xs = Number(x);
  let ys = Number(y);
  if (half) {
    xs = fromFloat16Bits(xs);
    ys = fromFloat16Bits(ys);
  }
  const result = op === 'And' ? (xs !== 0 && ys !== 0 ? 1 : 0) : op === 'Sub' ? xs - ys : xs + ys;
  // Typed array stores wrap integers (UINT8, INT32) and round FP32 as the engines do.
  return half ? toFloat16Bits(result) : result;
}

/** Expected outputs of `graph` for `inputs`, computed in JS. */
export function evaluateGraph(graph: FixtureGraph, inputs: TensorMap): TensorMap {
  const values = new Map<string, Value>();
  for (const spec of graph.inputs) {
    const tensor = inputs.get(spec.name);
    if (tensor === undefined || tensor.dtype === 'BYTES') {
      throw new Error(`reference needs numeric input ${spec.name}`);
    }
    values.set(spec.name, tensor);
  }
  for (const constant of graph.constants) {
    const data = encodeValues(constant.dtype, constant.values);
    values.set(constant.name, { dtype: constant.dtype, shape: constant.dims, data });
  }
  for (const node of graph.nodes) {
    const [a, b] = node.inputs.map((name) => values.get(name));
    if (a === undefined || b === undefined) throw new Error(`graph value missing for ${node.op}`);
    values.set(node.output, elementwise(node.op, a, b));
  }
  const outputs: TensorMap = new Map();
  for (const spec of graph.outputs) {
    const value = values.get(spec.name);
    if (value === undefined) throw new Error(`graph output ${spec.name} is not computed`);
    outputs.set(spec.name, createNumericTensor(value.dtype, value.shape, value.data));
  }
  return outputs;
}

/**
 * Deterministic inputs with exact values in every dtype (small integers, halves for floats),
 * so engine answers compare exactly. UINT8 values stay below 128 so sums never overflow:
 * ONNX Runtime wraps a u8 overflow and OpenVINO's CPU plugin saturates it, and neither is
 * what a model server promises.
 */
export function sampleTensor(
  dtype: NumericDataType,
  shape: readonly number[],
  seed: number,
): NumericTensor {
  const count = elementCount(shape);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const k = (i * 7 + seed * 13) % 23;
    values.push(sampleValue(dtype, k, i));
  }
  return createNumericTensor(dtype, shape, encodeValues(dtype, values));
}

function sampleValue(dtype: NumericDataType, k: number, i: number): number {
  if (dtype === 'BOOL') return (k + i) % 3 === 0 ? 0 : 1;
  if (dtype === 'UINT8') return (k * 11 + 17) % 128;
  if (dtype === 'FP32' || dtype === 'FP16') return (k - 11) / 2;
  return k - 11;
}
