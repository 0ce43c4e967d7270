/**
 * Text regions of a DB probability map: 8-connected components of the pixels above a
 * threshold, with what box finding needs from each (pixel count, mean probability, and per
 * row the leftmost and rightmost pixel — enough for the convex hull). Two-pass labelling with
 * union-find over typed arrays: no per-pixel objects, so a 960×960 map stays in milliseconds.
 */
export interface Component {
  readonly pixels: number;
  /** Mean probability over the component's pixels (PaddleOCR's "slow" score, on the exact region). */
  readonly score: number;
  readonly top: number;
  /** Leftmost / rightmost x of each row from `top`; -1 where the row has no pixel. */
  readonly rowMin: Int32Array;
  readonly rowMax: Int32Array;
}

export interface ProbabilityMap {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

function find(parent: Int32Array, label: number): number {
  let root = label;
  while (parent[root] !== root) root = parent[root] ?? root;
  // Path compression keeps later finds O(1)-ish.
  while (parent[label] !== root) {
    const next = parent[label] ?? root;
    parent[label] = root;
    label = next;
  }
  return root;
}

function union(parent: Int32Array, a: number, b: number): number {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra === rb) return ra;
  const [low, high] = ra < rb ? [ra, rb] : [rb, ra];
  parent[high] = low;
  return low;
}

/** Joins the current pixel's label with a labelled neighbour's (0: background, no change). */
function merge(parent: Int32Array, label: number, neighbour: number): number {
  if (neighbour === 0) return label;
  return label === 0 ? find(parent, neighbour) : union(parent, label, neighbour);
}

/**
 * Labels the pixels of `map` above `threshold`; returns at most `maxComponents` components
 * (the first found, top to bottom, as OpenCV's contour order is), smallest ones included —
 * filtering by size is the caller's business.
 */
export function findComponents(
  map: ProbabilityMap,
  threshold: number,
  maxComponents: number,
): Component[] {
  const { width, height, values } = map;
  const labels = new Int32Array(width * height);
  // Label 0 is background; provisional labels grow at most one per pixel.
  let parent = new Int32Array(1024);
  let next = 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const index = row + x;
      if ((values[index] ?? 0) <= threshold) continue;
      let label = 0;
      if (x > 0) label = merge(parent, label, labels[index - 1] ?? 0);
      if (y > 0) {
        const above = index - width;
        if (x > 0) label = merge(parent, label, labels[above - 1] ?? 0);
        label = merge(parent, label, labels[above] ?? 0);
        if (x + 1 < width) label = merge(parent, label, labels[above + 1] ?? 0);
      }
      if (label === 0) {
        if (next === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        parent[next] = next;
        label = next++;
      }
      labels[index] = label;
    }
  }
  return collect(map, labels, parent, next, maxComponents);
}

function collect(
  map: ProbabilityMap,
  labels: Int32Array,
  parent: Int32Array,
  count: number,
  maxComponents: number,
): Component[] {
  const { width, height, values } = map;
  // Root label → dense component id, in order of first pixel (top to bottom).
  const dense = new Int32Array(count).fill(-1);
  const pixels: number[] = [];
  const sums: number[] = [];
  const tops: number[] = [];
  const bottoms: number[] = [];
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index] ?? 0;
    if (label === 0) continue;
    const root = find(parent, label);
    let id = dense[root] ?? -1;
    if (id < 0) {
      id = pixels.length;
      dense[root] = id;
      const y = Math.floor(index / width);
      pixels.push(0);
      sums.push(0);
      tops.push(y);
      bottoms.push(y);
    }
    // Reuse the label slot for the dense id (+1) so the row pass needs no second find.
    labels[index] = id + 1;
    pixels[id] = (pixels[id] ?? 0) + 1;
    sums[id] = (sums[id] ?? 0) + (values[index] ?? 0);
    bottoms[id] = Math.floor(index / width);
  }
  const kept = Math.min(pixels.length, maxComponents);
  const rowMin: Int32Array[] = [];
  const rowMax: Int32Array[] = [];
  for (let id = 0; id < kept; id++) {
    const rows = (bottoms[id] ?? 0) - (tops[id] ?? 0) + 1;
    rowMin.push(new Int32Array(rows).fill(-1));
    rowMax.push(new Int32Array(rows).fill(-1));
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const id = (labels[y * width + x] ?? 0) - 1;
      if (id < 0 || id >= kept) continue;
      const r = y - (tops[id] ?? 0);
      const mins = rowMin[id];
      const maxs = rowMax[id];
      if (mins === undefined || maxs === undefined) continue;
      if ((mins[r] ?? -1) < 0) mins[r] = x;
      maxs[r] = x;
    }
  }
  const components: Component[] = [];
  for (let id = 0; id < kept; id++) {
    const count = pixels[id] ?? 0;
    components.push({
      pixels: count,
      score: count === 0 ? 0 : (sums[id] ?? 0) / count,
      top: tops[id] ?? 0,
      rowMin: rowMin[id] ?? new Int32Array(0),
      rowMax: rowMax[id] ?? new Int32Array(0),
    });
  }
  return components;
}
