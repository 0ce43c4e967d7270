import type { Quad } from './rotated-rect.js';

/** An 8-bit RGB image, rows of `width` × 3 bytes (NHWC without the N). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Where a crop comes from: the text line's origin corner and its two axes, in image pixels. */
interface CropFrame {
  readonly ox: number;
  readonly oy: number;
  /** Along the text (reading direction). */
  readonly xx: number;
  readonly xy: number;
  /** Across the text (top to bottom of the glyphs). */
  readonly yx: number;
  readonly yy: number;
}

/**
 * The frame of a box. A box at least 1.5 times taller than wide is read top to bottom, as
 * PaddleOCR's `get_rotate_crop_image` rotates such crops by 90°.
 */
function frameOf(quad: Quad): CropFrame {
  const p = (i: number): number => quad[i] ?? 0;
  const width = Math.max(
    Math.hypot(p(2) - p(0), p(3) - p(1)),
    Math.hypot(p(4) - p(6), p(5) - p(7)),
  );
  const height = Math.max(
    Math.hypot(p(6) - p(0), p(7) - p(1)),
    Math.hypot(p(4) - p(2), p(5) - p(3)),
  );
  if (height >= 1.5 * width) {
    return {
      ox: p(2),
      oy: p(3),
      xx: p(4) - p(2),
      xy: p(5) - p(3),
      yx: p(0) - p(2),
      yy: p(1) - p(3),
    };
  }
  return { ox: p(0), oy: p(1), xx: p(2) - p(0), xy: p(3) - p(1), yx: p(6) - p(0), yy: p(7) - p(1) };
}

/** Width over height of the text line in `quad`, in its reading direction. */
export function aspectRatio(quad: Quad): number {
  const frame = frameOf(quad);
  const across = Math.hypot(frame.yx, frame.yy);
  return across === 0 ? 0 : Math.hypot(frame.xx, frame.xy) / across;
}

/**
 * Writes one recognition input into `out` (a [3, height, width] FP32 block starting at
 * `offset`): the text line of `quad`, resampled bilinearly straight from the original image
 * to `height` × `usedWidth` (crop, rotation and resize in one pass), normalised to
 * (v/255 − 0.5)/0.5 in BGR order as PaddleOCR's OpenCV-read training data, and left 0 on the
 * right of `usedWidth` (PaddleOCR's padding).
 */
export function writeRecognitionCrop(
  image: RgbImage,
  quad: Quad,
  out: Float32Array,
  offset: number,
  size: { readonly height: number; readonly width: number; readonly usedWidth: number },
): void {
  const { ox, oy, xx, xy, yx, yy } = frameOf(quad);
  const { height, width, usedWidth } = size;
  const plane = height * width;
  const maxX = image.width - 1;
  const maxY = image.height - 1;
  const stride = image.width * 3;
  const data = image.data;
  for (let row = 0; row < height; row++) {
    const t = (row + 0.5) / height;
    for (let col = 0; col < usedWidth; col++) {
      const s = (col + 0.5) / usedWidth;
      const x = Math.min(Math.max(ox + s * xx + t * yx - 0.5, 0), maxX);
      const y = Math.min(Math.max(oy + s * xy + t * yy - 0.5, 0), maxY);
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = Math.min(x0 + 1, maxX);
      const y1 = Math.min(y0 + 1, maxY);
      const fx = x - x0;
      const fy = y - y0;
      const a = y0 * stride + x0 * 3;
      const b = y0 * stride + x1 * 3;
      const c = y1 * stride + x0 * 3;
      const d = y1 * stride + x1 * 3;
      const target = offset + row * width + col;
      for (let channel = 0; channel < 3; channel++) {
        const top = (data[a + channel] ?? 0) * (1 - fx) + (data[b + channel] ?? 0) * fx;
        const bottom = (data[c + channel] ?? 0) * (1 - fx) + (data[d + channel] ?? 0) * fx;
        const value = top * (1 - fy) + bottom * fy;
        // RGB in, BGR out: channel 0 (R) lands in plane 2.
        out[target + (2 - channel) * plane] = value / 127.5 - 1;
      }
    }
  }
}
