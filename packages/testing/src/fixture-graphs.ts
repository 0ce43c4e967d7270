import type { NumericDataType } from '@ovms/core';

/**
 * The fixture models as one small graph description that both writers (ONNX, OpenVINO IR)
 * and the reference evaluator read, so a model and its expected answers cannot drift apart.
 */

/** A dimension: a size, or a symbol (ONNX `dim_param`, IR `?`) that engines report as -1. */
export type FixtureDim = number | string;

export interface GraphValue {
  readonly name: string;
  readonly dtype: NumericDataType;
  readonly dims: readonly FixtureDim[];
}

export interface GraphConstant {
  readonly name: string;
  readonly dtype: NumericDataType;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

/** Elementwise ops with numpy broadcasting, the same in ONNX and OpenVINO opset1. */
export type GraphOp = 'Add' | 'Sub' | 'And';

export interface GraphNode {
  readonly op: GraphOp;
  readonly inputs: readonly [string, string];
  readonly output: string;
}

export interface FixtureGraph {
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  readonly constants: readonly GraphConstant[];
  readonly nodes: readonly GraphNode[];
}

/** Every fixture, including `corrupt` (a model file holding garbage). */
export const FIXTURE_NAMES = [
  'add_f32',
  'add_f16',
  'add_i32',
  'add_i64',
  'add_u8',
  'and_bool',
  'two_in_two_out',
  'dynamic_dims',
  'fixed_shape',
  'nchw',
  'corrupt',
] as const;

export type FixtureName = (typeof FIXTURE_NAMES)[number];
/** The fixtures that are real models. */
export type ModelFixtureName = Exclude<FixtureName, 'corrupt'>;

export const MODEL_FIXTURE_NAMES: readonly ModelFixtureName[] = FIXTURE_NAMES.filter(
  (name): name is ModelFixtureName => name !== 'corrupt',
);

function binary(dtype: NumericDataType, op: GraphOp, output: string): FixtureGraph {
  const dims = ['batch', 4];
  return {
    inputs: [
      { name: 'a', dtype, dims },
      { name: 'b', dtype, dims },
    ],
    outputs: [{ name: output, dtype, dims }],
    constants: [],
    nodes: [{ op, inputs: ['a', 'b'], output }],
  };
}

function plusConstant(
  dims: readonly FixtureDim[],
  constant: Omit<GraphConstant, 'name' | 'dtype'>,
): FixtureGraph {
  return {
    inputs: [{ name: 'x', dtype: 'FP32', dims }],
    outputs: [{ name: 'y', dtype: 'FP32', dims }],
    constants: [{ name: 'c', dtype: 'FP32', ...constant }],
    nodes: [{ op: 'Add', inputs: ['x', 'c'], output: 'y' }],
  };
}

export const FIXTURE_GRAPHS: { readonly [N in ModelFixtureName]: FixtureGraph } = {
  add_f32: binary('FP32', 'Add', 'sum'),
  add_f16: binary('FP16', 'Add', 'sum'),
  add_i32: binary('INT32', 'Add', 'sum'),
  add_i64: binary('INT64', 'Add', 'sum'),
  add_u8: binary('UINT8', 'Add', 'sum'),
  // Neither ONNX nor OpenVINO adds booleans; a logical op keeps the fixture two-input.
  and_bool: binary('BOOL', 'And', 'out'),
  two_in_two_out: {
    inputs: [
      { name: 'a', dtype: 'FP32', dims: ['batch', 3] },
      { name: 'b', dtype: 'FP32', dims: ['batch', 3] },
    ],
    outputs: [
      { name: 'sum', dtype: 'FP32', dims: ['batch', 3] },
      { name: 'diff', dtype: 'FP32', dims: ['batch', 3] },
    ],
    constants: [],
    nodes: [
      { op: 'Add', inputs: ['a', 'b'], output: 'sum' },
      { op: 'Sub', inputs: ['a', 'b'], output: 'diff' },
    ],
  },
  dynamic_dims: plusConstant(['batch', 'seq'], { dims: [1], values: [1] }),
  fixed_shape: plusConstant([1, 3], { dims: [3], values: [1, 2, 3] }),
  // A per-channel constant makes a wrong layout visible in the numbers, not only the shape.
  nchw: plusConstant([1, 3, 4, 4], { dims: [1, 3, 1, 1], values: [0, 10, 20] }),
};
