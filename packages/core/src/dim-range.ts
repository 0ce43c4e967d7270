import type { DimRange, InputSpec, ShapeDim } from './engine.js';

/** Whether `dim` is an OVMS range `min:max` rather than a size or -1. */
export function isDimRange(dim: ShapeDim): dim is DimRange {
  return typeof dim === 'object';
}

/**
 * Splits a configured shape into what specs carry: `shape` with -1 on every range (metadata
 * shows a range as -1, as OVMS's TFS and KServe metadata do) and `dimRanges` beside it, absent
 * when the shape has no range.
 */
export function splitShapeRanges(dims: readonly ShapeDim[]): {
  shape: number[];
  dimRanges?: (DimRange | undefined)[];
} {
  const shape = dims.map((dim) => (isDimRange(dim) ? -1 : dim));
  if (!dims.some(isDimRange)) return { shape };
  return { shape, dimRanges: dims.map((dim) => (isDimRange(dim) ? dim : undefined)) };
}

/** The range of `axis` of an input, when it has one. */
export function dimRangeAt(spec: InputSpec, axis: number): DimRange | undefined {
  return spec.dimRanges?.[axis];
}

/** A configured shape as OVMS prints it, ranges as `min:max`: `(1,100:200,3)`. */
export function formatShapeDims(dims: readonly ShapeDim[]): string {
  return `(${dims.map(dimText).join(',')})`;
}

function dimText(dim: ShapeDim): string {
  return isDimRange(dim) ? `${dim.min}:${dim.max}` : String(dim);
}

/** One dim of an input as OVMS prints it: the size, -1, or `min:max`. */
export function formatDim(spec: InputSpec, axis: number): string {
  return dimText(dimRangeAt(spec, axis) ?? spec.shape[axis] ?? -1);
}

/** An input's shape as OVMS prints it in errors, ranges as `min:max`: `(1,100:200,3)`. */
export function formatInputShape(spec: InputSpec): string {
  return formatShapeDims(spec.shape.map((dim, axis) => dimRangeAt(spec, axis) ?? dim));
}
