import { bytesOf, typedView } from '@ovms/core';
import type { Tensor } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import dbPostprocess from './db-postprocess.js';

const state = dbPostprocess.initialize({});

/** A probability map of `height` × `width` with rectangles [x0, y0, x1, y1) at `value`. */
function map(
  width: number,
  height: number,
  rects: [number, number, number, number, number][],
): Tensor {
  const values = new Float32Array(width * height);
  for (const [x0, y0, x1, y1, value] of rects) {
    for (let y = y0; y < y1; y++) values.fill(value, y * width + x0, y * width + x1);
  }
  return { dtype: 'FP32', shape: [1, 1, height, width], data: bytesOf(values) };
}

const image = (width: number, height: number): Tensor => ({
  dtype: 'UINT8',
  shape: [1, height, width, 3],
  data: new Uint8Array(width * height * 3).fill(255),
});

function run(probabilities: Tensor, original: Tensor) {
  const outputs = dbPostprocess.execute(
    new Map([
      ['prob_map', probabilities],
      ['image', original],
    ]),
    {},
    state,
  );
  const floats = (name: string): number[] => {
    const tensor = outputs.get(name);
    return tensor?.dtype === 'FP32' ? [...typedView('FP32', tensor.data)] : [];
  };
  const shape = (name: string) => outputs.get(name)?.shape;
  return { outputs, floats, shape };
}

describe('db-postprocess', () => {
  it('finds one box per region, grown by the unclip ratio, scaled to the image, top first', () => {
    // Map 64×32 over an image 128×64 (scale 2). Region 1: x 4..39, y 4..9 (36×6 pixels).
    const probabilities = map(64, 32, [
      [4, 4, 40, 10, 0.9],
      [10, 20, 30, 26, 0.8],
    ]);
    const { floats, shape } = run(probabilities, image(128, 64));
    expect(shape('boxes')).toEqual([2, 4, 2]);
    expect(shape('scores')).toEqual([2, 1, 1]);
    expect(floats('scores').map((s) => +s.toFixed(3))).toEqual([0.9, 0.8]);
    // Pixel centres span 35×5; unclip adds 35·5·1.5/(2·40) ≈ 3.28 on each side.
    const d = (35 * 5 * 1.5) / 80;
    const expected = [4 - d, 4 - d, 39 + d, 4 - d, 39 + d, 9 + d, 4 - d, 9 + d].map((v) => v * 2);
    floats('boxes')
      .slice(0, 8)
      .forEach((value, i) => expect(value).toBeCloseTo(expected[i] ?? 0, 3));
    // Crops share the widest line's width (at least 320) and record each line's own width.
    expect(shape('crops')).toEqual([2, 1, 3, 48, 320]);
    expect(shape('widths')).toEqual([2, 1, 1]);
  });

  it('drops regions below box_thresh or thinner than min_size', () => {
    const probabilities = map(64, 32, [
      [4, 4, 40, 10, 0.5], // mean probability under 0.6
      [4, 20, 40, 22, 0.9], // 2 rows: thinner than min_size 3
    ]);
    const { shape } = run(probabilities, image(64, 32));
    expect(shape('boxes')).toEqual([0, 4, 2]);
  });

  it('answers zero boxes and zero crops for an empty map', () => {
    const { shape, floats } = run(map(32, 32, []), image(32, 32));
    expect(shape('crops')).toEqual([0, 1, 3, 48, 320]);
    expect(shape('boxes')).toEqual([0, 4, 2]);
    expect(floats('scores')).toEqual([]);
  });

  it('finds the minimum-area rectangle of a rotated region', () => {
    // A diagonal band 45° down-right: the rectangle's long side follows it.
    const width = 64;
    const values = new Float32Array(width * width);
    for (let t = 8; t < 56; t++) {
      for (let k = -4; k <= 4; k++) values[(t + k) * width + t] = 0.95;
    }
    const probabilities: Tensor = {
      dtype: 'FP32',
      shape: [1, 1, width, width],
      data: bytesOf(values),
    };
    const { floats } = run(probabilities, image(width, width));
    const [x0 = 0, y0 = 0, x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = floats('boxes');
    const top = Math.hypot(x1 - x0, y1 - y0);
    const left = Math.hypot(x3 - x0, y3 - y0);
    // Long side ≈ 47·√2 ≈ 66 before unclip; short side small: an axis-aligned box would be square.
    expect(Math.max(top, left) / Math.min(top, left)).toBeGreaterThan(4);
  });
});
