import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesOf, typedView } from '@ovms/core';
import type { Tensor } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ctcDecode from './ctc-decode.js';
import type { CtcState } from './ctc-decode.js';

let dir: string;
let state: CtcState;
const params = (): Record<string, string> => ({ keys_path: join(dir, 'keys.txt') });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctc-'));
  await writeFile(join(dir, 'keys.txt'), 'a\nb\nc\n');
  state = await ctcDecode.initialize(params());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One-hot-ish logits: step t puts `p` on class `classes[t]` and the rest evenly elsewhere. */
function logits(batches: number[][], p = 0.9): Tensor {
  const classes = 5; // blank, a, b, c, space
  const steps = batches[0]?.length ?? 0;
  const values = new Float32Array(batches.length * steps * classes).fill((1 - p) / (classes - 1));
  batches.forEach((sequence, b) =>
    sequence.forEach((c, t) => (values[(b * steps + t) * classes + c] = p)),
  );
  return { dtype: 'FP32', shape: [batches.length, steps, classes], data: bytesOf(values) };
}

function decode(tensor: Tensor): { texts: string[]; confidences: number[] } {
  const outputs = ctcDecode.execute(new Map([['logits', tensor]]), params(), state);
  const text = outputs.get('text');
  const confidence = outputs.get('confidence');
  return {
    texts: text?.dtype === 'BYTES' ? text.data.map((b) => new TextDecoder().decode(b)) : [],
    confidences: confidence?.dtype === 'FP32' ? [...typedView('FP32', confidence.data)] : [],
  };
}

describe('ctc-decode', () => {
  it('declares its class count from the keys file: blank + keys + space', () => {
    expect(ctcDecode.getInputsInfo(params(), state)).toEqual([
      { name: 'logits', dtype: 'FP32', shape: [-1, -1, 5] },
    ]);
  });

  it('collapses repeats, drops blanks, keeps repeats a blank separates, maps the space', () => {
    // a a _ a b b _ _ space c  → "aab c"
    const { texts, confidences } = decode(logits([[1, 1, 0, 1, 2, 2, 0, 0, 4, 3]]));
    expect(texts).toEqual(['aab c']);
    expect(confidences[0]).toBeCloseTo(0.9, 5);
  });

  it('decodes every sequence of a batch; all blanks give an empty text of confidence 0', () => {
    const { texts, confidences } = decode(
      logits([
        [3, 0, 2],
        [0, 0, 0],
      ]),
    );
    expect(texts).toEqual(['cb', '']);
    expect(confidences).toEqual([expect.closeTo(0.9, 5), 0]);
  });

  it('fails initialization without keys_path, with the param named', async () => {
    await expect(ctcDecode.initialize({})).rejects.toThrow('param keys_path is required');
  });
});
