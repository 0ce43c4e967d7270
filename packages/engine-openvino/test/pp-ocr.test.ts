import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesOf, createNumericTensor, typedView } from '@ovms/core';
import { linkPpOcrDetModel } from '@ovms/testing';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { createOpenvinoEngine } from '../src/index.js';
import { openvinoLibDir, openvinoMissing } from './openvino-env.js';

describe('real model: PP-OCRv4 text detection (ONNX through OpenVINO)', () => {
  if (openvinoMissing !== undefined) {
    it.skip(`NOT RUN — PP-OCR check skipped: ${openvinoMissing}`, () => {});
    return;
  }

  it('loads and infers 1×3×640×640 into a 1×1×640×640 probability map matching ONNX Runtime', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ov-ppocr-'));
    try {
      await linkPpOcrDetModel(join(root, '1'));
      const engine = createOpenvinoEngine({ binding: 'c-api', libDir: openvinoLibDir ?? '' });
      const model = await engine.load(join(root, '1'), { shape: { x: [1, 3, 640, 640] } });
      expect(model.inputs).toEqual([
        { name: 'x', dtype: 'FP32', shape: [1, 3, 640, 640], batchDim: 0 },
      ]);
      const pixels = new Float32Array(3 * 640 * 640);
      for (let i = 0; i < pixels.length; i++) pixels[i] = ((i * 7919) % 255) / 255 - 0.5;
      const input = createNumericTensor('FP32', [1, 3, 640, 640], bytesOf(pixels));
      const outputs = await model.infer(new Map([['x', input]]));
      const [output] = [...outputs.values()];
      expect(output?.shape).toEqual([1, 1, 640, 640]);
      if (output === undefined || output.dtype !== 'FP32') throw new Error('no FP32 output');
      const probabilities = typedView('FP32', output.data);
      expect(probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
      await model.close();

      // The same model and input through ONNX Runtime: the engines must agree.
      const reference = await createOnnxRuntimeEngine().load(join(root, '1'), {});
      const [referenceOutput] = [...(await reference.infer(new Map([['x', input]]))).values()];
      await reference.close();
      if (referenceOutput === undefined || referenceOutput.dtype !== 'FP32') {
        throw new Error('no FP32 output from onnxruntime');
      }
      const expected = typedView('FP32', referenceOutput.data);
      let maxAbsDiff = 0;
      for (let i = 0; i < expected.length; i++) {
        maxAbsDiff = Math.max(
          maxAbsDiff,
          Math.abs((probabilities[i] ?? NaN) - (expected[i] ?? NaN)),
        );
      }
      console.log(
        `PP-OCRv4 det, OpenVINO vs ONNX Runtime: max abs diff ${maxAbsDiff.toExponential(2)}`,
      );
      expect(maxAbsDiff).toBeLessThan(1e-3);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
