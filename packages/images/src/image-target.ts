import { ServingError, StatusCode, dimRangeAt, formatInputShape } from '@ovms/core';
import type { DimRange, InputSpec } from '@ovms/core';

/** What images sent to one input become: their count, size bounds and channels. */
export interface ImageTarget {
  /** Rank 5 is an input behind a demultiplexer: each image is one `[1, H, W, C]` shard. */
  readonly rank: 4 | 5;
  /** The sizes H takes: one (min = max), a range, or any (1 to Infinity). */
  readonly height: DimRange;
  readonly width: DimRange;
  /** 1 (grayscale) or 3 (BGR). */
  readonly channels: 1 | 3;
}

/**
 * Whether a tensor layout as clients send it is `N...HWC`: absent (OVMS's default `N...`
 * assumption), `...`-wildcarded, or naming N first and H, W, C last.
 */
function acceptsNhwc(layout: string | undefined): boolean {
  if (layout === undefined || layout === '...' || layout === 'N...') return true;
  return /^[N?](\.\.\.|\?*)HWC$/.test(layout) || /^\?*N\?*HWC$/.test(layout);
}

/** A dim images are resized to, or -1 where the input takes any size there. */
function fixedDim(spec: InputSpec, axis: number): number {
  const dim = spec.shape[axis] ?? -1;
  const auto = spec.autoDims;
  return dim < 0 || auto === 'all' || auto?.includes(axis) === true ? -1 : dim;
}

/** The sizes `axis` takes: its fixed size, its range (`100:200`), or any. */
function sizeBounds(spec: InputSpec, axis: number): DimRange {
  const fixed = fixedDim(spec, axis);
  if (fixed >= 0) return { min: fixed, max: fixed };
  return dimRangeAt(spec, axis) ?? { min: 1, max: Infinity };
}

/**
 * The geometry binary images take for `spec`, or undefined when the input cannot take images
 * (rank other than 4 or 5): the request then fails validation with the precision error, as a
 * string sent to any numeric input does.
 */
export function imageTargetOf(spec: InputSpec): ImageTarget | undefined {
  const rank = spec.shape.length;
  if (rank !== 4 && rank !== 5) return undefined;
  if (!acceptsNhwc(spec.layout)) {
    throw new ServingError(
      StatusCode.UNSUPPORTED_LAYOUT,
      `input name: ${spec.name}; layout: ${spec.layout ?? ''}`,
    );
  }
  const channels = fixedDim(spec, rank - 1);
  if (channels !== -1 && channels !== 1 && channels !== 3) {
    throw new ServingError(
      StatusCode.INVALID_NO_OF_CHANNELS,
      `Expected: 1 or 3; Actual: ${channels} in ${formatInputShape(spec)}; input name: ${spec.name}`,
    );
  }
  return {
    rank,
    height: sizeBounds(spec, rank - 3),
    width: sizeBounds(spec, rank - 2),
    channels: channels === 1 ? 1 : 3,
  };
}
