import { readFile } from 'node:fs/promises';
import {
  ServingError,
  StatusCode,
  bytesOf,
  createBytesTensor,
  createNumericTensor,
  typedView,
} from '@ovms/core';
import type { Tensor, TensorMap, TensorSpec } from '@ovms/core';
import type { CustomNode, CustomNodeParams } from '@ovms/dag';

/**
 * Custom node `ctc-decode`: recognition logits → text, by greedy CTC decoding.
 *
 * - param `keys_path` (required): the character list, one per line (PP-OCR's
 *   `ppocr_keys_v1.txt`); class 0 is the CTC blank, classes 1..K the keys, and with
 *   `use_space_char` (default `true`, as PP-OCRv4 was trained) class K+1 is a space;
 * - input `logits`: FP32 [B,T,C] with C = the class count above (PP-OCRv4 rec: softmax
 *   probabilities, C = 6625);
 * - outputs `text`: BYTES [B], UTF-8; `confidence`: FP32 [B], the mean probability of the
 *   characters kept (0 for an empty text).
 */
export interface CtcState {
  /** Class index → character; index 0 (blank) is never emitted. */
  readonly characters: readonly string[];
}

/** Decodes one sequence of `steps` × `classes` scores starting at `offset`. */
export function decodeSequence(
  scores: Float32Array,
  offset: number,
  steps: number,
  classes: number,
  characters: readonly string[],
): { text: string; confidence: number } {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestScore = scores[row] ?? -Infinity;
    for (let c = 1; c < classes; c++) {
      const score = scores[row + c] ?? -Infinity;
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    // CTC: repeats collapse unless a blank separates them; blanks emit nothing.
    if (best !== 0 && best !== previous) {
      text += characters[best] ?? '';
      sum += bestScore;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}

const encoder = new TextEncoder();

const ctcDecode = {
  async initialize(params: CustomNodeParams): Promise<CtcState> {
    const path = params['keys_path'];
    if (path === undefined || path === '') throw new Error('param keys_path is required');
    const useSpace = params['use_space_char'] ?? 'true';
    if (useSpace !== 'true' && useSpace !== 'false') {
      throw new Error(`param use_space_char must be true or false; actual: "${useSpace}"`);
    }
    const lines = (await readFile(path, 'utf8')).split('\n').map((line) => line.replace(/\r$/, ''));
    if (lines.at(-1) === '') lines.pop();
    if (lines.length === 0) throw new Error(`keys file ${path} is empty`);
    return { characters: ['', ...lines, ...(useSpace === 'true' ? [' '] : [])] };
  },
  getInputsInfo: (_params: CustomNodeParams, state: CtcState): TensorSpec[] => [
    { name: 'logits', dtype: 'FP32', shape: [-1, -1, state.characters.length] },
  ],
  getOutputsInfo: (): TensorSpec[] => [
    { name: 'text', dtype: 'BYTES', shape: [-1] },
    { name: 'confidence', dtype: 'FP32', shape: [-1] },
  ],
  execute(inputs: TensorMap, _params: CustomNodeParams, state: CtcState): TensorMap {
    const logits = inputs.get('logits');
    if (logits === undefined || logits.dtype !== 'FP32') {
      throw new ServingError(StatusCode.INVALID_ARGUMENT, 'missing FP32 input logits');
    }
    const [batch = 0, steps = 0, classes = 0] = logits.shape;
    const scores = typedView('FP32', logits.data);
    const texts: Uint8Array[] = [];
    const confidences = new Float32Array(batch);
    for (let b = 0; b < batch; b++) {
      const decoded = decodeSequence(scores, b * steps * classes, steps, classes, state.characters);
      texts.push(encoder.encode(decoded.text));
      confidences[b] = decoded.confidence;
    }
    return new Map<string, Tensor>([
      ['text', createBytesTensor([batch], texts)],
      ['confidence', createNumericTensor('FP32', [batch], bytesOf(confidences))],
    ]);
  },
} satisfies CustomNode<CtcState>;

export default ctcDecode;
