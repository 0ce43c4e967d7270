import { describe, expect, it } from 'vitest';
import { bytesOf, createNumericTensor, type NumericDataType } from '@ovms/core';
import { JsonByteWriter } from './byte-writer.js';
import {
  formatFloat32,
  formatJsonNumber,
  numericElements,
  writeFlatArray,
  writeNestedArray,
} from './writer.js';
import { parseJson } from './value.js';
import { createSeededRandom } from '../../test/support/seeded-random.js';

/** The JSON text of `values` as an FP32 tensor, through the byte writer. */
function float32Json(values: Float32Array): string {
  const tensor = createNumericTensor('FP32', [values.length], bytesOf(values));
  const out = new JsonByteWriter(4);
  writeFlatArray(out, numericElements(tensor), 0, values.length);
  return new TextDecoder().decode(out.result());
}

/**
 * The reference: formatFloat32 finds the fewest digits with toPrecision, the exact decimal
 * rounding, where the writer's fast path uses double arithmetic.
 */
const referenceFloat32 = formatFloat32;

/** Float32 bit patterns from every binade, subnormals, signs and specials. */
function randomFloat32s(count: number, seed: number): Float32Array {
  const random = createSeededRandom(seed);
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++) bits[i] = Math.floor(random() * 2 ** 32);
  return new Float32Array(bits.buffer);
}

describe('JSON number writing', () => {
  it('writes NaN, Infinity, -Infinity as tokens and keeps -0', () => {
    expect([NaN, Infinity, -Infinity, -0, 1.5].map(formatJsonNumber)).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '1.5',
    ]);
    expect(float32Json(new Float32Array([NaN, Infinity, -Infinity, -0, 0, 1.5]))).toBe(
      '[NaN,Infinity,-Infinity,-0,0,1.5]',
    );
  });

  it('writes float32 in at most 9 digits that read back to the same float32', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(2.5e-7))).toBe('2.5e-7');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
    expect(formatFloat32(Math.fround(1e30))).toBe('1e+30');
    for (const value of [Math.fround(Math.PI), Math.fround(-1.17549435e-38), 2 ** -149]) {
      expect(Math.fround(parseJson(formatFloat32(value)) as number)).toBe(value);
    }
  });

  it('writes the edge cases of float32 as the shortest text that reads back', () => {
    const edges = new Float32Array([
      0.1,
      -0.1,
      1 / 3,
      2.5e-7,
      1e-7,
      9.99999e-7,
      1e-6,
      0.000123,
      123456.7,
      8388607.5,
      16777216,
      2147483520,
      3.4028235e38,
      -3.4028235e38,
      1e38,
      1.17549435e-38,
      1.4e-45,
      2 ** -149,
      1e-14,
      9.999999e-15,
      1e-15,
      0.5,
      1234.5,
      9.9999999,
      0.99999994,
      1.0000001,
      -2147483648,
    ]);
    const text = float32Json(edges);
    expect(text).toBe(`[${Array.from(edges, referenceFloat32).join(',')}]`);
    expect(text).toContain(',1e-7,');
    expect(text).toContain(',0.000001,');
    expect(text).toContain(',3.4028235e+38,');
    const back = new Float32Array(parseJson(text) as number[]);
    expect(back).toEqual(edges);
  });

  it('fuzz: a million random float32 bit patterns read back exactly, in the fewest digits', () => {
    const values = randomFloat32s(1 << 20, 20261206);
    const text = float32Json(values);
    const tokens = text.slice(1, -1).split(',');
    expect(tokens).toHaveLength(values.length);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      const token = tokens[i]!;
      // JSON.parse cannot read NaN: compare by Number, which can.
      const back = Math.fround(Number(token));
      if (Number.isNaN(value) ? !Number.isNaN(back) : !Object.is(back, value)) mismatches += 1;
      if (token !== referenceFloat32(value)) mismatches += 1;
    }
    expect(mismatches).toBe(0);
  });

  it('fuzz: model-like outputs (uniform in ±1, ±1000, logits) read back exactly', () => {
    const random = createSeededRandom(7);
    const values = new Float32Array(1 << 18);
    for (let i = 0; i < values.length; i++) {
      const scale = [1, 1000, 1e-3, 30][i % 4]!;
      values[i] = (random() * 2 - 1) * scale;
    }
    const text = float32Json(values);
    expect(new Float32Array(JSON.parse(text) as number[])).toEqual(values);
    expect(text).toBe(`[${Array.from(values, referenceFloat32).join(',')}]`);
  });

  it('writes integers of up to 32 bits digit by digit, extremes included', () => {
    const cases: Array<[NumericDataType, ArrayBufferView, string]> = [
      [
        'INT32',
        new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, -1, 10, 99, 100]),
        '[-2147483648,2147483647,0,-1,10,99,100]',
      ],
      ['UINT8', new Uint8Array([0, 9, 255]), '[0,9,255]'],
      ['INT8', new Int8Array([-128, 127]), '[-128,127]'],
      ['UINT16', new Uint16Array([65535]), '[65535]'],
      ['INT16', new Int16Array([-32768]), '[-32768]'],
      ['UINT32', new Uint32Array([2 ** 32 - 1]), '[4294967295]'],
    ];
    for (const [dtype, values, json] of cases) {
      const tensor = createNumericTensor(dtype, [json.split(',').length], bytesOf(values));
      const out = new JsonByteWriter();
      writeFlatArray(out, numericElements(tensor), 0, tensor.shape[0]!);
      expect(new TextDecoder().decode(out.result())).toBe(json);
    }
  });

  it('nests row-major elements by shape', () => {
    const tensor = createNumericTensor(
      'INT32',
      [2, 3],
      bytesOf(new Int32Array([1, 2, 3, 4, 5, 6])),
    );
    const nested = (dims: readonly number[], offset?: number) => {
      const out = new JsonByteWriter();
      writeNestedArray(out, numericElements(tensor), dims, offset);
      return new TextDecoder().decode(out.result());
    };
    expect(nested(tensor.shape)).toBe('[[1,2,3],[4,5,6]]');
    expect(nested([3], 3)).toBe('[4,5,6]');
    expect(nested([], 5)).toBe('6');
  });

  it('grows its buffer and writes UTF-8 text', () => {
    const out = new JsonByteWriter(1);
    out.string('hé');
    out.ascii('x'.repeat(100));
    expect(new TextDecoder().decode(out.result())).toBe(`"hé"${'x'.repeat(100)}`);
  });
});
