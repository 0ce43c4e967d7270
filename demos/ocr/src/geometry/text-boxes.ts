import { findComponents } from './components.js';
import type { ProbabilityMap } from './components.js';
import { hullOfRows, minAreaRect, quadOf, unclip } from './rotated-rect.js';
import type { Quad } from './rotated-rect.js';

/** DB post-processing settings; the defaults are PaddleOCR's for PP-OCRv4 inference. */
export interface DbOptions {
  /** Probability above which a pixel is text (`det_db_thresh`). */
  readonly threshold: number;
  /** Minimum mean probability of a region to keep it (`det_db_box_thresh`). */
  readonly boxThreshold: number;
  /** How far regions grow back (`det_db_unclip_ratio`). */
  readonly unclipRatio: number;
  /** Regions whose short side is below this many map pixels are noise. */
  readonly minSize: number;
  /** Regions looked at, at most (`max_candidates`). */
  readonly maxCandidates: number;
}

export const DEFAULT_DB_OPTIONS: DbOptions = {
  threshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
  maxCandidates: 1000,
};

/** A detected text region in original image pixels. */
export interface TextBox {
  readonly quad: Quad;
  readonly score: number;
}

/**
 * Boxes of the text regions of a DB probability map, scaled to an image of
 * `imageWidth` × `imageHeight` (the map is the image resized, so the ratios come from the
 * sizes alone), in reading order.
 */
export function detectTextBoxes(
  map: ProbabilityMap,
  imageWidth: number,
  imageHeight: number,
  options: DbOptions = DEFAULT_DB_OPTIONS,
): TextBox[] {
  const sx = imageWidth / map.width;
  const sy = imageHeight / map.height;
  const boxes: TextBox[] = [];
  for (const component of findComponents(map, options.threshold, options.maxCandidates)) {
    if (component.score < options.boxThreshold) continue;
    const rect = minAreaRect(hullOfRows(component.top, component.rowMin, component.rowMax));
    if (Math.min(rect.a, rect.b) < options.minSize) continue;
    const grown = unclip(rect, options.unclipRatio);
    // PaddleOCR checks the grown box against min_size + 2 as well.
    if (Math.min(grown.a, grown.b) < options.minSize + 2) continue;
    boxes.push({
      quad: quadOf(grown, sx, sy, imageWidth - 1, imageHeight - 1),
      score: component.score,
    });
  }
  return sortReadingOrder(boxes);
}

/**
 * Top to bottom, then left to right; boxes whose tops are within 10 pixels count as one line
 * (PaddleOCR's `sorted_boxes`), so a slightly lower word to the left still comes first.
 */
function sortReadingOrder(boxes: TextBox[]): TextBox[] {
  const x = (box: TextBox | undefined): number => box?.quad[0] ?? 0;
  const y = (box: TextBox | undefined): number => box?.quad[1] ?? 0;
  boxes.sort((p, q) => y(p) - y(q) || x(p) - x(q));
  for (let i = 0; i < boxes.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const current = boxes[j];
      const following = boxes[j + 1];
      if (current === undefined || following === undefined) break;
      if (Math.abs(y(following) - y(current)) >= 10 || x(following) >= x(current)) break;
      boxes[j] = following;
      boxes[j + 1] = current;
    }
  }
  return boxes;
}
