import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeIrModel, encodeOnnxModel, writeFixtureModel } from '@ovms/testing';
import type { FixtureFormat, FixtureGraph } from '@ovms/testing';

/** A tensor as the matrix sends and checks it: FP32 values in row-major order. */
export interface Values {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

export const DENSE_WIDTH = 1024;

/**
 * `dense`: x FP32 (1,1024), fixed, → y = x + (0, 1, …, 1023). The per-column constant makes a
 * row or column out of place show in the numbers, not only in the shape.
 */
const DENSE: FixtureGraph = {
  inputs: [{ name: 'x', dtype: 'FP32', dims: [1, DENSE_WIDTH] }],
  outputs: [{ name: 'y', dtype: 'FP32', dims: [1, DENSE_WIDTH] }],
  constants: [
    {
      name: 'c',
      dtype: 'FP32',
      dims: [DENSE_WIDTH],
      values: Array.from({ length: DENSE_WIDTH }, (_, j) => j),
    },
  ],
  nodes: [{ op: 'Add', inputs: ['x', 'c'], output: 'y' }],
};

/** `offset` version k: x FP32 (-1,4) → y = x + k, so each version answers differently. */
function offsetGraph(k: number): FixtureGraph {
  return {
    inputs: [{ name: 'x', dtype: 'FP32', dims: ['batch', 4] }],
    outputs: [{ name: 'y', dtype: 'FP32', dims: ['batch', 4] }],
    constants: [{ name: 'k', dtype: 'FP32', dims: [1], values: [k] }],
    nodes: [{ op: 'Add', inputs: ['x', 'k'], output: 'y' }],
  };
}

/** `pair`: left + right → sum, FP32 (-1,3): two inputs with names a message can be searched for. */
const PAIR: FixtureGraph = {
  inputs: [
    { name: 'left', dtype: 'FP32', dims: ['batch', 3] },
    { name: 'right', dtype: 'FP32', dims: ['batch', 3] },
  ],
  outputs: [{ name: 'sum', dtype: 'FP32', dims: ['batch', 3] }],
  constants: [],
  nodes: [{ op: 'Add', inputs: ['left', 'right'], output: 'sum' }],
};

async function writeGraph(
  name: string,
  graph: FixtureGraph,
  format: FixtureFormat,
  versionDir: string,
): Promise<void> {
  await mkdir(versionDir, { recursive: true });
  if (format === 'onnx') {
    await writeFile(join(versionDir, 'model.onnx'), encodeOnnxModel(name, graph));
    return;
  }
  const ir = encodeIrModel(name, graph);
  await writeFile(join(versionDir, 'model.xml'), ir.xml);
  await writeFile(join(versionDir, 'model.bin'), ir.bin);
}

/** The models of the matrix; `nchw` is @ovms/testing's. */
export type MatrixModel = 'dense' | 'offset' | 'nchw' | 'pair';

/**
 * Writes `model` as an OVMS model folder `dir/<version>/`: version 1, or versions 1, 2 and 3
 * for `offset` (version k adds k).
 */
async function writeMatrixModel(
  model: MatrixModel,
  format: FixtureFormat,
  dir: string,
): Promise<void> {
  switch (model) {
    case 'dense':
      return writeGraph('dense', DENSE, format, join(dir, '1'));
    case 'offset':
      for (const k of [1, 2, 3])
        await writeGraph(`offset${k}`, offsetGraph(k), format, join(dir, String(k)));
      return;
    case 'nchw':
      return writeFixtureModel('nchw', format, join(dir, '1'));
    case 'pair':
      return writeGraph('pair', PAIR, format, join(dir, '1'));
  }
}

/** Writes every matrix model in ONNX under `root/<model>/`, and `nchw` as IR in `root/nchw_ir/` too. */
export async function writeMatrixModels(
  root: string,
  options: { readonly ir: boolean },
): Promise<void> {
  for (const model of ['dense', 'offset', 'nchw', 'pair'] as const)
    await writeMatrixModel(model, 'onnx', join(root, model));
  if (options.ir) await writeMatrixModel('nchw', 'ir', join(root, 'nchw_ir'));
}

/** One row for `pair`. */
export const PAIR_INPUTS: Readonly<Record<string, Values>> = {
  left: { shape: [1, 3], values: [1, 2, 3] },
  right: { shape: [1, 3], values: [4, 5, 6] },
};

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** `rows` rows for `dense`: x[r][j] = 1000·(r+1) + 2j, exact in FP32. */
export function denseInput(rows: number, width = DENSE_WIDTH): Values {
  const values = Array.from({ length: rows * width }, (_, i) => {
    const r = Math.floor(i / width);
    return 1000 * (r + 1) + 2 * (i % width);
  });
  return { shape: [rows, width], values };
}

/** What `dense` answers for `x`. */
export function denseOutput(x: Values): Values {
  const width = x.shape[1] ?? 0;
  return { shape: x.shape, values: x.values.map((v, i) => v + (i % width)) };
}

/** `rows` rows for `offset`: x[r][j] = 10r + j. */
export function offsetInput(rows: number): Values {
  return {
    shape: [rows, 4],
    values: Array.from({ length: rows * 4 }, (_, i) => i + 6 * Math.floor(i / 4)),
  };
}

/** What version `k` of `offset` answers for `x`. */
export function offsetOutput(x: Values, k: number): Values {
  return { shape: x.shape, values: x.values.map((v) => v + k) };
}

/** An NHWC image (1,4,4,3) for `nchw` served with layout `NHWC:NCHW`: value i at flat index i. */
export function nhwcInput(): Values {
  const shape = [1, 4, 4, 3];
  return { shape, values: Array.from({ length: product(shape) }, (_, i) => i) };
}

/**
 * What `nchw` (x + 10·channel, NCHW) answers for an NHWC image sent through `NHWC:NCHW`: the
 * input is transposed into the model, the output stays in the model's NCHW (as OVMS, which
 * applies an anonymous layout to the input only).
 */
export function nchwOutputFromNhwc(image: Values): Values {
  const [n = 1, h = 1, w = 1, c = 1] = image.shape;
  const values: number[] = [];
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          values.push((image.values[((b * h + y) * w + x) * c + ch] ?? NaN) + 10 * ch);
  return { shape: [n, c, h, w], values };
}
