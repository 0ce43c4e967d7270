import { formatShape } from '@ovms/core';
import type { TensorSpec } from '@ovms/core';

/** Two shapes can meet: same rank, each dimension equal or dynamic (-1) on either side. */
export function shapesCompatible(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((dim, i) => {
    const other = b[i] ?? -1;
    return dim < 0 || other < 0 || dim === other;
  });
}

/** The narrowest spec both accept, or undefined when none does (OVMS `createIntersection`). */
export function intersectSpecs(a: TensorSpec, b: TensorSpec): TensorSpec | undefined {
  if (a.dtype !== b.dtype || !shapesCompatible(a.shape, b.shape)) return undefined;
  return { ...a, shape: a.shape.map((dim, i) => (dim < 0 ? (b.shape[i] ?? -1) : dim)) };
}

export function describeSpec(spec: TensorSpec): string {
  return `${spec.name} ${spec.dtype} ${formatShape(spec.shape)}`;
}
