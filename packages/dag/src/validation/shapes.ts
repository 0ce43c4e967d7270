import { formatShape } from '@ovms/core';
import type { InputSpec, TensorSpec } from '@ovms/core';

/** Two shapes can meet: same rank, each dimension equal or dynamic (-1) on either side. */
export function shapesCompatible(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((dim, i) => {
    const other = b[i] ?? -1;
    return dim < 0 || other < 0 || dim === other;
  });
}

/** The narrowest spec both accept, or undefined when none does (OVMS `createIntersection`). */
export function intersectSpecs<Spec extends TensorSpec>(a: Spec, b: Spec): Spec | undefined {
  if (a.dtype !== b.dtype || !shapesCompatible(a.shape, b.shape)) return undefined;
  return { ...a, shape: a.shape.map((dim, i) => (dim < 0 ? (b.shape[i] ?? -1) : dim)) };
}

export function describeSpec(spec: TensorSpec): string {
  return `${spec.name} ${spec.dtype} ${formatShape(spec.shape)}`;
}

/**
 * The shapes a model input accepts: its dims with those it takes `auto` made dynamic, or
 * undefined when `shape: auto` lets it take any rank.
 */
export function acceptedShape(spec: InputSpec): readonly number[] | undefined {
  const auto = spec.autoDims;
  if (auto === 'all') return undefined;
  if (auto === undefined || auto.length === 0) return spec.shape;
  return spec.shape.map((dim, axis) => (auto.includes(axis) ? -1 : dim));
}
