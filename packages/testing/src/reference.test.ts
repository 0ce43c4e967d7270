import { describe, expect, it } from 'vitest';
import { createNumericTensor } from '@ovms/core';
import { FIXTURE_GRAPHS } from './fixture-graphs.js';
import { evaluateGraph, sampleTensor } from './reference.js';
import { decodeValues, encodeValues } from './values.js';

describe('reference evaluator', () => {
  it('broadcasts a per-channel constant over NCHW', () => {
    const x = createNumericTensor(
      'FP32',
      [1, 3, 4, 4],
      encodeValues('FP32', new Array(48).fill(1)),
    );
    const y = evaluateGraph(FIXTURE_GRAPHS.nchw, new Map([['x', x]])).get('y');
    if (y === undefined || y.dtype === 'BYTES') throw new Error('y missing');
    const values = decodeValues('FP32', y.data);
    expect([values[0], values[16], values[47]]).toEqual([1, 11, 21]);
  });

  it('wraps UINT8 sums and ANDs booleans', () => {
    const a = createNumericTensor('UINT8', [1, 4], encodeValues('UINT8', [200, 1, 2, 255]));
    const sum = evaluateGraph(
      FIXTURE_GRAPHS.add_u8,
      new Map([
        ['a', a],
        ['b', a],
      ]),
    ).get('sum');
    if (sum === undefined || sum.dtype === 'BYTES') throw new Error('sum missing');
    expect(decodeValues('UINT8', sum.data)).toEqual([144, 2, 4, 254]);
    const t = createNumericTensor('BOOL', [1, 4], encodeValues('BOOL', [1, 1, 0, 0]));
    const f = createNumericTensor('BOOL', [1, 4], encodeValues('BOOL', [1, 0, 1, 0]));
    const out = evaluateGraph(
      FIXTURE_GRAPHS.and_bool,
      new Map([
        ['a', t],
        ['b', f],
      ]),
    ).get('out');
    if (out === undefined || out.dtype === 'BYTES') throw new Error('out missing');
    expect(decodeValues('BOOL', out.data)).toEqual([1, 0, 0, 0]);
  });

  it('adds INT64 as bigints and FP16 as halves', () => {
    const big = createNumericTensor('INT64', [1, 4], encodeValues('INT64', [1, -2, 3, 4]));
    const sum = evaluateGraph(
      FIXTURE_GRAPHS.add_i64,
      new Map([
        ['a', big],
        ['b', big],
      ]),
    ).get('sum');
    if (sum === undefined || sum.dtype === 'BYTES') throw new Error('sum missing');
    expect(decodeValues('INT64', sum.data)).toEqual([2, -4, 6, 8]);
    const half = sampleTensor('FP16', [2, 4], 3);
    const twice = evaluateGraph(
      FIXTURE_GRAPHS.add_f16,
      new Map([
        ['a', half],
        ['b', half],
      ]),
    ).get('sum');
    if (twice === undefined || twice.dtype === 'BYTES') throw new Error('sum missing');
    expect(decodeValues('FP16', twice.data)).toEqual(
      decodeValues('FP16', half.data).map((v) => v * 2),
    );
  });

  it('refuses inputs the graph needs but did not get', () => {
    expect(() => evaluateGraph(FIXTURE_GRAPHS.add_f32, new Map())).toThrow(
      'reference needs numeric input a',
    );
  });
});
