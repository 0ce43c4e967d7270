/**
 * Minimum-area rectangles around text regions, as OpenCV's `minAreaRect` gives PaddleOCR:
 * the convex hull of the region's pixel centres, then the hull edge whose direction gives the
 * smallest bounding rectangle (the optimal rectangle has a side on a hull edge).
 */
export interface RotatedRect {
  readonly cx: number;
  readonly cy: number;
  /** Unit vector of the side of length `a`; the side of length `b` runs along (-uy, ux). */
  readonly ux: number;
  readonly uy: number;
  readonly a: number;
  readonly b: number;
}

/** Four corners as x,y pairs in reading order: top-left, top-right, bottom-right, bottom-left. */
export type Quad = Float64Array;

const cross = (ox: number, oy: number, ax: number, ay: number, bx: number, by: number): number =>
  (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);

/**
 * Convex hull (x,y pairs, counter-clockwise in image coordinates) of a region given by its
 * leftmost and rightmost pixel per row. Those points already come sorted by (y, x), so
 * Andrew's monotone chain runs without a sort.
 */
export function hullOfRows(top: number, rowMin: Int32Array, rowMax: Int32Array): Float64Array {
  const points: number[] = [];
  for (let r = 0; r < rowMin.length; r++) {
    const min = rowMin[r] ?? -1;
    if (min < 0) continue;
    const max = rowMax[r] ?? min;
    points.push(min, top + r);
    if (max !== min) points.push(max, top + r);
  }
  const n = points.length / 2;
  if (n < 3) return Float64Array.from(points);
  const hull = new Float64Array(4 * n);
  let k = 0;
  const push = (i: number, floor: number): void => {
    const x = points[2 * i] ?? 0;
    const y = points[2 * i + 1] ?? 0;
    while (
      k >= floor + 2 &&
      cross(
        hull[2 * k - 4] ?? 0,
        hull[2 * k - 3] ?? 0,
        hull[2 * k - 2] ?? 0,
        hull[2 * k - 1] ?? 0,
        x,
        y,
      ) <= 0
    ) {
      k--;
    }
    hull[2 * k] = x;
    hull[2 * k + 1] = y;
    k++;
  };
  for (let i = 0; i < n; i++) push(i, 0);
  const lower = k - 1;
  for (let i = n - 2; i >= 0; i--) push(i, lower);
  return hull.slice(0, 2 * (k - 1));
}

/** The minimum-area rectangle around a convex polygon (x,y pairs). */
export function minAreaRect(hull: Float64Array): RotatedRect {
  const n = hull.length / 2;
  let best: RotatedRect = { cx: hull[0] ?? 0, cy: hull[1] ?? 0, ux: 1, uy: 0, a: 0, b: 0 };
  let bestArea = Infinity;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const ex = (hull[2 * j] ?? 0) - (hull[2 * i] ?? 0);
    const ey = (hull[2 * j + 1] ?? 0) - (hull[2 * i + 1] ?? 0);
    const length = Math.hypot(ex, ey);
    if (length === 0 && n > 1) continue;
    const ux = length === 0 ? 1 : ex / length;
    const uy = length === 0 ? 0 : ey / length;
    let sMin = Infinity;
    let sMax = -Infinity;
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let p = 0; p < n; p++) {
      const x = hull[2 * p] ?? 0;
      const y = hull[2 * p + 1] ?? 0;
      const s = x * ux + y * uy;
      const t = -x * uy + y * ux;
      if (s < sMin) sMin = s;
      if (s > sMax) sMax = s;
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    const area = (sMax - sMin) * (tMax - tMin);
    if (area < bestArea) {
      bestArea = area;
      const s = (sMin + sMax) / 2;
      const t = (tMin + tMax) / 2;
      best = { cx: s * ux - t * uy, cy: s * uy + t * ux, ux, uy, a: sMax - sMin, b: tMax - tMin };
    }
  }
  return best;
}

/**
 * DB's unclip: the region shrunk during training is grown back by
 * `area * ratio / perimeter` on every side. PaddleOCR offsets the polygon with pyclipper and
 * takes the minimum rectangle again; for a rectangle that is exactly both sides + 2·distance.
 */
export function unclip(rect: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (rect.a + rect.b);
  const distance = perimeter === 0 ? 0 : (rect.a * rect.b * ratio) / perimeter;
  return { ...rect, a: rect.a + 2 * distance, b: rect.b + 2 * distance };
}

/** The corners, scaled by (sx, sy), clipped to [0, maxX] × [0, maxY], in reading order. */
export function quadOf(
  rect: RotatedRect,
  sx: number,
  sy: number,
  maxX: number,
  maxY: number,
): Quad {
  const { cx, cy, ux, uy } = rect;
  const ha = rect.a / 2;
  const hb = rect.b / 2;
  const corners: [number, number][] = [
    [cx - ha * ux + hb * uy, cy - ha * uy - hb * ux],
    [cx + ha * ux + hb * uy, cy + ha * uy - hb * ux],
    [cx + ha * ux - hb * uy, cy + ha * uy + hb * ux],
    [cx - ha * ux - hb * uy, cy - ha * uy + hb * ux],
  ].map(([x, y]) => [
    Math.min(Math.max((x ?? 0) * sx, 0), maxX),
    Math.min(Math.max((y ?? 0) * sy, 0), maxY),
  ]);
  // PaddleOCR's order: of the two leftmost corners the upper is top-left, the lower
  // bottom-left; of the two rightmost, the upper is top-right.
  corners.sort((p, q) => p[0] - q[0]);
  const [l1, l2, r1, r2] = corners as [
    [number, number],
    [number, number],
    [number, number],
    [number, number],
  ];
  const [tl, bl] = l1[1] <= l2[1] ? [l1, l2] : [l2, l1];
  const [tr, br] = r1[1] <= r2[1] ? [r1, r2] : [r2, r1];
  return Float64Array.of(tl[0], tl[1], tr[0], tr[1], br[0], br[1], bl[0], bl[1]);
}
