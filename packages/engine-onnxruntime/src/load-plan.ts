import {
  isDimRange,
  resolveAnonymousInput,
  ServingError,
  StatusCode,
  formatShape,
  formatShapeDims,
  splitShapeRanges,
  type DimRange,
  type ModelLoadOptions,
  type ShapeDim,
} from '@ovms/core';
import { parseInputLayout, toTensorLayout, type InputLayout } from './layout.js';
import type { GraphInput, InputRewrite, OnnxDim } from './onnx-graph.js';

/** One input as the engine serves it after applying `shape`, `batch_size` and `layout`. */
export interface PlannedInput {
  /** The name clients send. */
  readonly name: string;
  /** The graph input the session is fed through (differs when a layout adds a Transpose). */
  readonly feedName: string;
  /** Shape reported at load, in the layout clients send; -1 is dynamic. */
  readonly shape: readonly number[];
  /** Bounds of range dims (`100:200`): symbolic in the graph, enforced by validation. */
  readonly dimRanges?: readonly (DimRange | undefined)[];
  readonly batchDim?: number;
  readonly autoDims?: 'all' | readonly number[];
  /** The layout clients send (the tensor side of `layout`), where one was given. */
  readonly layout?: string;
  /** Axes made symbolic for `auto`: the reported shape follows each request there. */
  readonly tracked: readonly number[];
}

export interface LoadPlan {
  readonly inputs: readonly PlannedInput[];
  /** Changes to the ModelProto; empty when the file serves as it is. */
  readonly rewrites: readonly InputRewrite[];
  /** Some input's dims changed, so the model's declared intermediate shapes are stale. */
  readonly reshaped: boolean;
  /**
   * Every input now has a fixed shape and some changed: ORT's shape inference does not catch
   * every graph that cannot take it (a Reshape to a baked constant runs into it only at run
   * time), so one run on zeros at load tells.
   */
  readonly probe: boolean;
}

/** The `dim_param` that makes axis `axis` of input `index` follow each request. */
export function autoDimName(index: number, axis: number): string {
  return `ovms_auto_${index}_${axis}`;
}

/** Parses an `autoDimName` back; undefined for any other symbol. */
export function parseAutoDimName(symbol: string): { index: number; axis: number } | undefined {
  const match = /^ovms_auto_(\d+)_(\d+)$/.exec(symbol);
  return match === null ? undefined : { index: Number(match[1]), axis: Number(match[2]) };
}

function reshapeError(detail: string): ServingError {
  return new ServingError(StatusCode.RESHAPE_ERROR, detail);
}

const asShape = (dims: readonly OnnxDim[]): number[] =>
  dims.map((dim) => (typeof dim === 'number' ? dim : -1));

/**
 * Plans how to serve a model's inputs under OVMS `shape`, `batch_size` and `layout`. Fixed
 * dims are written into the graph input; `auto` dims become symbols (ORT then takes any size,
 * so the model never reloads); a transposing layout puts a Transpose in front of the input.
 * `shape` is given in the layout clients send and wins over `batch_size`, as in OVMS.
 */
export function planLoad(
  graphInputs: readonly GraphInput[],
  outputNames: readonly string[],
  options: Pick<ModelLoadOptions, 'shape' | 'batchSize' | 'layout'>,
  takenNames: ReadonlySet<string>,
): LoadPlan {
  const names = graphInputs.map((input) => input.name);
  const list = names.join(', ');
  const invalid = (detail: string) => new ServingError(StatusCode.INVALID_ARGUMENT, detail);
  const resolved = resolveAnonymousInput(options, names);
  const shapes = resolved.shape ?? {};
  const layouts = resolved.layout ?? {};
  for (const name of Object.keys(shapes)) {
    if (!names.includes(name)) {
      throw reshapeError(
        `shape names input ${name}, which the model does not have; inputs: ${list}`,
      );
    }
  }
  for (const [name, text] of Object.entries(layouts)) {
    if (names.includes(name)) continue;
    if (!outputNames.includes(name)) {
      throw invalid(`layout is set for ${name}, which the model does not have; inputs: ${list}`);
    }
    const [tensor, model = tensor] = text.toUpperCase().split(':');
    if (tensor !== model) {
      throw new ServingError(
        StatusCode.NOT_IMPLEMENTED,
        `layout ${text} for output ${name} is not supported by onnxruntime engine: it converts input layouts only`,
      );
    }
  }
  const batch = options.batchSize;
  if (batch !== undefined && batch !== 'auto' && (!Number.isSafeInteger(batch) || batch < 1)) {
    throw reshapeError(`batch_size must be a positive integer or auto; actual: ${batch}`);
  }

  const inputs: PlannedInput[] = [];
  const rewrites: InputRewrite[] = [];
  let reshaped = false;
  let allFixed = true;
  graphInputs.forEach((input, index) => {
    const text = layouts[input.name];
    const layout =
      text === undefined ? undefined : parseInputLayout(text, input.name, input.dims.length);
    const declared =
      layout?.perm === undefined ? [...input.dims] : toTensorLayout(input.dims, layout.perm);
    const rank = declared.length;
    const batchDim = rank === 0 ? undefined : (layout?.batchDim ?? 0);
    const shape = shapes[input.name];
    let dims: OnnxDim[] = declared;
    let autoDims: PlannedInput['autoDims'];
    let tracked: number[] = [];
    let reported = asShape(declared);
    let dimRanges: (DimRange | undefined)[] | undefined;
    if (shape === 'auto') {
      autoDims = 'all';
      tracked = declared.flatMap((dim, axis) => (typeof dim === 'number' ? [axis] : []));
      dims = declared.map((dim, axis) =>
        typeof dim === 'number' ? autoDimName(index, axis) : dim,
      );
    } else if (shape !== undefined) {
      dims = fixedDims(input.name, shape, declared, layout, index);
      ({ shape: reported, dimRanges } = splitShapeRanges(shape));
    } else if (typeof batch === 'number') {
      if (batchDim === undefined) {
        throw reshapeError(
          `batch size ${batch} needs a batch dimension; input ${input.name} has shape ${formatShape(reported)}`,
        );
      }
      dims = declared.map((dim, axis) => (axis === batchDim ? batch : dim));
      reported = asShape(dims);
    } else if (batch === 'auto' && batchDim !== undefined) {
      autoDims = [batchDim];
      if (typeof declared[batchDim] === 'number') {
        tracked = [batchDim];
        dims = declared.map((dim, axis) => (axis === batchDim ? autoDimName(index, axis) : dim));
      }
    }
    const changed =
      dims.length !== declared.length || dims.some((dim, axis) => dim !== declared[axis]);
    reshaped ||= changed;
    allFixed &&= autoDims === undefined && dims.every((dim) => typeof dim === 'number');
    const feedName =
      layout?.perm === undefined
        ? input.name
        : freeName(`${input.name}/${layout.tensor}`, takenNames);
    if (changed || layout?.perm !== undefined) {
      rewrites.push({
        name: input.name,
        dims,
        ...(layout?.perm !== undefined && { transpose: { perm: layout.perm, feedName } }),
      });
    }
    inputs.push({
      name: input.name,
      feedName,
      shape: reported,
      ...(dimRanges !== undefined && { dimRanges }),
      ...(batchDim !== undefined && { batchDim }),
      ...(autoDims !== undefined && { autoDims }),
      ...(layout !== undefined && { layout: layout.tensor }),
      tracked,
    });
  });
  return { inputs, rewrites, reshaped, probe: reshaped && allFixed };
}

/**
 * Dims for a fixed `shape`: sizes as given, -1 and ranges keep the model's symbol where it had
 * one and make a new one where it had a size (ORT has no bounded dims; validation bounds them). A transposing layout needs the layout's rank; without
 * one the rank may change, and the session (or the probe run) tells whether the graph takes it.
 */
function fixedDims(
  name: string,
  shape: readonly ShapeDim[],
  declared: readonly OnnxDim[],
  layout: InputLayout | undefined,
  index: number,
): OnnxDim[] {
  const text = formatShapeDims(shape);
  const valid = (dim: ShapeDim) =>
    isDimRange(dim)
      ? Number.isSafeInteger(dim.min) &&
        Number.isSafeInteger(dim.max) &&
        0 <= dim.min &&
        dim.min <= dim.max
      : Number.isSafeInteger(dim) && dim >= -1;
  if (!shape.every(valid)) {
    throw reshapeError(`shape ${text} of input ${name} must hold sizes, -1 or ranges min:max`);
  }
  if (layout?.perm !== undefined && shape.length !== declared.length) {
    throw reshapeError(
      `shape ${text} of input ${name} has ${shape.length} dims; its layout ${layout.tensor} has ${declared.length}`,
    );
  }
  return shape.map((dim, axis) => {
    if (!isDimRange(dim) && dim >= 0) return dim;
    const own = declared[axis];
    return typeof own === 'string' && own !== '' ? own : `ovms_dynamic_${index}_${axis}`;
  });
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}
