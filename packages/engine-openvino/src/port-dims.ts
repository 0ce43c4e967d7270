import type { DimRange } from '@ovms/core';
import type { PortInfo } from './binding.js';

/**
 * Port dims from OpenVINO intervals (`{min, max}` per dim, max -1 when unbounded, as both
 * bindings report them): sizes where min = max, else -1 with the bounds kept in `dimRanges`
 * when the interval has an upper bound, so requests are checked against it.
 */
export function boundedDims(dims: readonly DimRange[]): Pick<PortInfo, 'shape' | 'dimRanges'> {
  const shape = dims.map((d) => (d.min === d.max ? d.max : -1));
  const bounded = (d: DimRange) => d.min !== d.max && d.max >= 0 && Number.isSafeInteger(d.max);
  if (!dims.some(bounded)) return { shape };
  return { shape, dimRanges: dims.map((d) => (bounded(d) ? d : undefined)) };
}
