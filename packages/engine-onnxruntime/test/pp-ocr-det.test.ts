import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNumericTensor, bytesOf, typedView, type LoadedModel } from '@ovms/core';
import { linkPpOcrDetModel } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '../src/index.js';

describe('onnxruntime engine: PP-OCRv4 text detection (real model)', () => {
  let root = '';
  let model: LoadedModel | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ovms-ppocr-'));
    const versionDir = join(root, 'det', '1');
    await linkPpOcrDetModel(versionDir);
    model = await createOnnxRuntimeEngine().load(versionDir, {});
  });
  afterAll(async () => {
    await model?.close();
    await rm(root, { recursive: true, force: true });
  });
  const loaded = (): LoadedModel => {
    if (model === undefined) throw new Error('PP-OCR det model did not load');
    return model;
  };

  it('reports the dynamic NCHW input and its probability-map output', () => {
    expect(loaded().inputs).toEqual([
      { name: 'x', dtype: 'FP32', shape: [-1, 3, -1, -1], batchDim: 0 },
    ]);
    expect(loaded().outputs).toEqual([
      { name: 'sigmoid_0.tmp_0', dtype: 'FP32', shape: [-1, 1, -1, -1] },
    ]);
  });

  it('infers 1×3×640×640 into a 1×1×640×640 map of probabilities', async () => {
    const pixels = new Float32Array(3 * 640 * 640);
    // A bright rectangle on a dark page gives the detector an edge to respond to.
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 640; y++)
        for (let x = 0; x < 640; x++) {
          const inside = y > 280 && y < 360 && x > 100 && x < 540;
          pixels[(c * 640 + y) * 640 + x] = inside ? -1 : 1;
        }
    const inputs = new Map([['x', createNumericTensor('FP32', [1, 3, 640, 640], bytesOf(pixels))]]);
    const outputs = await loaded().infer(inputs);
    const map = outputs.get('sigmoid_0.tmp_0');
    expect(map?.shape).toEqual([1, 1, 640, 640]);
    if (map === undefined || map.dtype !== 'FP32') throw new Error('FP32 output expected');
    const values = typedView('FP32', map.data);
    let min = Infinity;
    let max = -Infinity;
    for (const value of values) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
  }, 60_000);
});
