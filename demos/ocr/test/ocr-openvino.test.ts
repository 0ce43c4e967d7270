import { fileURLToPath } from 'node:url';
import { createOpenvinoEngine, locateOpenvinoLibDir } from '@ovms/engine-openvino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCR_NAMES } from '../src/index.js';
import { startOcr } from './ocr-harness.js';
import type { OcrHarness } from './ocr-harness.js';
import { renderTextImage } from './render.js';
import {
  DOCUMENT,
  DOCUMENT_SIZE,
  EXACT_LINES,
  accuracyOf,
  bytesInput,
  recognise,
} from './samples.js';

// As the engine's own suites: OpenVINO from the project's .cache wheel, OPENVINO_LIB_DIR or
// /opt/intel; without it one loudly named skipped test, or a failure under OVMS_REQUIRE_OPENVINO=1.
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const location = locateOpenvinoLibDir({ env: process.env, cwd: projectRoot });
const required = process.env['OVMS_REQUIRE_OPENVINO'] === '1';

if (!location.found) {
  describe('OCR pipeline on PP-OCRv4 through OpenVINO', () => {
    if (required) {
      it('OVMS_REQUIRE_OPENVINO=1 but OpenVINO was not found', () => {
        expect.fail(location.message);
      });
    } else {
      it.skip(`NOT RUN — OpenVINO OCR test skipped: ${location.message}`, () => {});
    }
  });
} else {
  const libDir = location.libDir;
  describe('OCR pipeline on PP-OCRv4 through OpenVINO', () => {
    let harness: OcrHarness;

    beforeAll(async () => {
      harness = await startOcr(createOpenvinoEngine({ libDir }));
    }, 120_000);

    afterAll(async () => {
      await harness.close();
    });

    it('reads the rendered document as onnxruntime does', async () => {
      const ocr = harness.pipelines.get(OCR_NAMES.pipeline);
      if (ocr === undefined) throw new Error('no ocr pipeline');
      const png = await renderTextImage(DOCUMENT, DOCUMENT_SIZE);
      const result = await recognise(ocr, bytesInput(png));
      const accuracy = accuracyOf(result.texts);
      console.info('OpenVINO PNG:', JSON.stringify(result.texts), accuracy);
      expect(result.texts).toHaveLength(DOCUMENT.length);
      for (const line of EXACT_LINES) expect(result.texts).toContain(line);
      expect(accuracy.exact).toBeGreaterThanOrEqual(0.9);
    });

    it('answers zero boxes for a blank image', async () => {
      const ocr = harness.pipelines.get(OCR_NAMES.pipeline);
      if (ocr === undefined) throw new Error('no ocr pipeline');
      const blank = await renderTextImage([], { width: 320, height: 240 });
      const result = await recognise(ocr, bytesInput(blank));
      expect(result.texts).toEqual([]);
      expect(result.shapes['boxes']).toEqual([0, 4, 2]);
    });
  });
}
