import { ServingError, StatusCode, bytesOf } from '@ovms/core';
import type { Servable, Tensor } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCR_NAMES } from '../src/index.js';
import { startOcr } from './ocr-harness.js';
import type { OcrHarness } from './ocr-harness.js';
import { renderTextImage, toRgb } from './render.js';
import {
  DOCUMENT,
  DOCUMENT_SIZE,
  EXACT_LINES,
  accuracyOf,
  bytesInput,
  recognise,
} from './samples.js';

let harness: OcrHarness;
let ocr: Servable;
let png: Buffer;

beforeAll(async () => {
  harness = await startOcr(createOnnxRuntimeEngine());
  const pipeline = harness.pipelines.get(OCR_NAMES.pipeline);
  if (pipeline === undefined) throw new Error('no ocr pipeline');
  ocr = pipeline;
  png = await renderTextImage(DOCUMENT, DOCUMENT_SIZE);
}, 120_000);

afterAll(async () => {
  await harness.close();
});

async function failure(promise: Promise<unknown>): Promise<ServingError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

describe('OCR pipeline on PP-OCRv4 through onnxruntime', () => {
  it('serves metadata like a model: one BYTES input, four gathered outputs', () => {
    expect(ocr.kind).toBe('pipeline');
    expect(ocr.inputs.map((s) => `${s.name}:${s.dtype}:${s.shape.join('x')}`)).toEqual([
      'image:BYTES:1',
    ]);
    expect(ocr.outputs.map((s) => `${s.name}:${s.dtype}:${s.shape.join('x')}`)).toEqual([
      'texts:BYTES:-1x-1',
      'confidences:FP32:-1x-1',
      'boxes:FP32:-1x4x2',
      'scores:FP32:-1x1x1',
    ]);
  });

  it('reads a rendered PNG document line by line, in reading order', async () => {
    const result = await recognise(ocr, bytesInput(png));
    const accuracy = accuracyOf(result.texts);
    console.info('onnxruntime PNG:', JSON.stringify(result.texts), accuracy);
    expect(result.texts).toHaveLength(DOCUMENT.length);
    for (const line of EXACT_LINES) expect(result.texts).toContain(line);
    expect(accuracy.exact).toBeGreaterThanOrEqual(0.9);
    expect(accuracy.ignoringSpaces).toBeGreaterThanOrEqual(0.95);
    expect(result.shapes).toEqual({
      texts: [5, 1],
      confidences: [5, 1],
      boxes: [5, 4, 2],
      scores: [5, 1, 1],
    });
    expect([...result.scores].every((score) => score >= 0.6 && score <= 1)).toBe(true);
    expect([...result.confidences].every((c) => c > 0.8 && c <= 1)).toBe(true);
    // The first box is "Hello World", drawn at (40, 30): its corners sit around the ink.
    const [x0 = 0, y0 = 0, x1 = 0, , , y2 = 0] = result.boxes;
    expect(x0).toBeGreaterThan(25);
    expect(x0).toBeLessThan(45);
    expect(y0).toBeGreaterThan(20);
    expect(y0).toBeLessThan(35);
    expect(x1).toBeGreaterThan(290);
    expect(y2).toBeGreaterThan(60);
  });

  it('reads the same document from a JPEG', async () => {
    const jpeg = await renderTextImage(DOCUMENT, DOCUMENT_SIZE, 'jpeg');
    const result = await recognise(ocr, bytesInput(jpeg));
    const accuracy = accuracyOf(result.texts);
    console.info('onnxruntime JPEG:', JSON.stringify(result.texts), accuracy);
    // JPEG artefacts cost PP-OCRv4 (ch) a space or two; the letters must stay right.
    expect(result.texts).toHaveLength(DOCUMENT.length);
    expect(accuracy.exact).toBeGreaterThanOrEqual(0.85);
    expect(accuracy.ignoringSpaces).toBeGreaterThanOrEqual(0.95);
  });

  it('reads raw RGB UINT8 [1,H,W,3] through the ocr_raw pipeline', async () => {
    const raw = harness.pipelines.get(OCR_NAMES.rawPipeline);
    if (raw === undefined) throw new Error('no ocr_raw pipeline');
    const { data, width, height } = await toRgb(png);
    const image: Tensor = { dtype: 'UINT8', shape: [1, height, width, 3], data };
    const fromRaw = await recognise(raw, new Map([['image', image]]));
    const fromPng = await recognise(ocr, bytesInput(png));
    expect(fromRaw.texts).toEqual(fromPng.texts);
    expect([...fromRaw.boxes]).toEqual([...fromPng.boxes]);
  });

  it('answers zero boxes and zero texts for an image without text', async () => {
    const blank = await renderTextImage([], { width: 640, height: 480 });
    const result = await recognise(ocr, bytesInput(blank));
    expect(result.texts).toEqual([]);
    expect(result.shapes['texts']?.[0]).toBe(0);
    expect(result.shapes['boxes']).toEqual([0, 4, 2]);
    expect(result.shapes['scores']).toEqual([0, 1, 1]);
  });

  it('rejects a corrupt PNG with INVALID_ARGUMENT naming the preprocessing node', async () => {
    const corrupt = bytesOf(
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    );
    const error = await failure(ocr.infer({ inputs: bytesInput(corrupt) }));
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toMatch(
      /^Invalid argument - image could not be decoded: .+; node: preprocess$/,
    );
  });

  it('rejects bytes that are no JPEG or PNG before decoding them', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const error = await failure(ocr.infer({ inputs: bytesInput(svg) }));
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'Invalid argument - image is neither JPEG nor PNG; node: preprocess',
    );
  });

  it('rejects a raw image of the wrong dtype before any node runs', async () => {
    const raw = harness.pipelines.get(OCR_NAMES.rawPipeline);
    const image: Tensor = { dtype: 'FP32', shape: [1, 2, 2, 3], data: new Uint8Array(48) };
    const error = await failure(
      raw?.infer({ inputs: new Map([['image', image]]) }) ?? Promise.resolve(),
    );
    expect(error.code).toBe(StatusCode.INVALID_PRECISION);
    expect(error.message).toBe(
      'Invalid input precision - Expected: UINT8; Actual: FP32; input name: image',
    );
  });
});
