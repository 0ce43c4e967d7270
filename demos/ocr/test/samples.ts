import { typedView } from '@ovms/core';
import type { Servable, Tensor, TensorMap } from '@ovms/core';
import { characterAccuracy } from './accuracy.js';
import type { TextLine } from './render.js';

/** A document of known lines in several sizes, top to bottom (the pipeline's reading order). */
export const DOCUMENT: readonly TextLine[] = [
  { text: 'Hello World', size: 48, x: 40, y: 30 },
  { text: 'OpenVINO Model Server', size: 36, x: 40, y: 110 },
  { text: 'The quick brown fox jumps over the lazy dog', size: 24, x: 40, y: 180 },
  { text: 'Invoice 2024-07-15 total: 1234.56', size: 20, x: 40, y: 240 },
  { text: 'small print 42', size: 14, x: 500, y: 300 },
];
export const DOCUMENT_SIZE = { width: 900, height: 360 } as const;
/** Lines large and clean enough that nothing but an exact read is acceptable. */
export const EXACT_LINES = ['Hello World', 'The quick brown fox jumps over the lazy dog'];

const decoder = new TextDecoder();

export const bytesInput = (encoded: Uint8Array): TensorMap =>
  new Map<string, Tensor>([['image', { dtype: 'BYTES', shape: [1], data: [encoded] }]]);

export interface OcrResult {
  readonly texts: string[];
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly confidences: Float32Array;
  readonly shapes: Record<string, readonly number[]>;
}

const floats = (tensor: Tensor | undefined): Float32Array =>
  tensor?.dtype === 'FP32' ? typedView('FP32', tensor.data) : new Float32Array(0);

export async function recognise(pipeline: Servable, inputs: TensorMap): Promise<OcrResult> {
  const outputs = await pipeline.infer({ inputs });
  const texts = outputs.get('texts');
  return {
    texts: texts?.dtype === 'BYTES' ? texts.data.map((bytes) => decoder.decode(bytes)) : [],
    boxes: floats(outputs.get('boxes')),
    scores: floats(outputs.get('scores')),
    confidences: floats(outputs.get('confidences')),
    shapes: Object.fromEntries([...outputs].map(([name, tensor]) => [name, tensor.shape])),
  };
}

/** Character accuracy of all lines together, and ignoring spaces (which PP-OCRv4 ch often drops). */
export function accuracyOf(texts: readonly string[]): { exact: number; ignoringSpaces: number } {
  const expected = DOCUMENT.map((line) => line.text).join('\n');
  const actual = texts.join('\n');
  const squeeze = (text: string): string => text.replaceAll(' ', '');
  return {
    exact: characterAccuracy(expected, actual),
    ignoringSpaces: characterAccuracy(squeeze(expected), squeeze(actual)),
  };
}
