import { describe, expect, it } from 'vitest';
import { StatusCode, typedView } from '@ovms/core';
import { NdArrayReader } from './ndarray.js';
import { JsonReader } from './reader.js';
import { createTensorElements } from './tensor-elements.js';
import { thrown } from '../../test/support/tensor-arbitrary.js';
import { createSeededRandom } from '../../test/support/seeded-random.js';

/** Reads a JSON array of number tokens as `dtype`, through the run fast path. */
function readAll(tokens: readonly string[], dtype: 'FP32' | 'FP64', separator = ','): number[] {
  const reader = new JsonReader(`[${tokens.join(separator)}]`);
  const elements = createTensorElements(dtype, { label: 'input x', capacity: 16 });
  const array = new NdArrayReader(elements, 'input x');
  array.read(reader);
  reader.finish();
  const tensor = elements.toTensor(array.shape());
  if (tensor.dtype === 'BYTES') throw new Error('expected a numeric tensor');
  return [...typedView(dtype, tensor.data)];
}

/** Every token must read as `Math.fround(Number(text))` (FP32) or `Number(text)` (FP64). */
function expectExact(tokens: readonly string[]): void {
  const single = readAll(tokens, 'FP32');
  const double = readAll(tokens, 'FP64');
  const wrong: string[] = [];
  tokens.forEach((token, i) => {
    if (!Object.is(single[i], Math.fround(Number(token)))) wrong.push(`FP32 ${token}`);
    if (!Object.is(double[i], Number(token))) wrong.push(`FP64 ${token}`);
  });
  expect(wrong).toEqual([]);
}

/** A decimal of `digits` random significant digits, a point somewhere, maybe an exponent. */
function randomDecimal(random: () => number): string {
  const digits = 1 + Math.floor(random() * 25);
  let mantissa = String(1 + Math.floor(random() * 9));
  for (let i = 1; i < digits; i++) mantissa += String(Math.floor(random() * 10));
  const point = Math.floor(random() * (digits + 1));
  let text =
    point === 0
      ? `0.${'0'.repeat(Math.floor(random() * 8))}${mantissa}`
      : point === digits
        ? mantissa
        : `${mantissa.slice(0, point)}.${mantissa.slice(point)}`;
  if (random() < 0.5) text += `${random() < 0.5 ? 'e' : 'E'}${Math.floor(random() * 90) - 50}`;
  return random() < 0.5 ? `-${text}` : text;
}

describe('number runs (the decode fast path)', () => {
  it('reads edge cases exactly: -0, subnormals, float32 limits, long mantissas, exponents', () => {
    expectExact([
      '0',
      '-0',
      '-0.0',
      '0e10',
      '1e38',
      '3.4028235e38',
      '3.4028234663852886e38',
      '3.40282357e38',
      '3.4028236e38',
      '1e39',
      '-1e39',
      '1.17549435e-38',
      '1.1754942e-38',
      '1.4e-45',
      '7e-46',
      '7.1e-46',
      '1e-46',
      '2.5e-7',
      '0.1',
      '0.10000000149011612',
      '0.30000000000000004',
      '9007199254740993',
      '9007199254740992.5',
      '123456789012345678901234567890',
      '1.00000005960464477539062500000001',
      '1.000000059604644775390625',
      '0.000000000000000000000000000000000000000000001',
      '1E+2',
      '1e-100',
      '1e100',
      '1e-400',
      '1e400',
      '12345678.9e-3',
    ]);
  });

  it('fuzz: seeded random float32 in every text form reads back bit for bit', () => {
    const random = createSeededRandom(151);
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    const tokens: string[] = [];
    while (tokens.length < 400_000) {
      bits[0] = Math.floor(random() * 2 ** 32);
      const value = asFloat[0]!;
      if (!Number.isFinite(value)) continue;
      // The double expansion (JSON.stringify, numpy tolist), 9 and 17 digits, exponent form.
      tokens.push(
        String(value),
        value.toPrecision(9),
        value.toPrecision(17),
        value.toExponential(Math.floor(random() * 20)),
      );
    }
    expectExact(tokens);
  });

  it('fuzz: seeded random decimals of up to 25 digits and exponents read exactly', () => {
    const random = createSeededRandom(2026);
    expectExact(Array.from({ length: 200_000 }, () => randomDecimal(random)));
  });

  it('takes whitespace between elements and leaves NaN and Infinity to the general reader', () => {
    expect(readAll(['1.5', '-2', 'NaN', 'Infinity', '-Infinity', '3'], 'FP32', ' ,\n\t')).toEqual([
      1.5,
      -2,
      NaN,
      Infinity,
      -Infinity,
      3,
    ]);
  });

  it('refuses malformed numbers inside a run with the general reader’s error', () => {
    const cases: Array<[string, string]> = [
      ['[1, 01]', 'invalid number: leading zero at byte 5'],
      ['[1, 1.]', 'invalid number: no digits after the decimal point at byte 6'],
      ['[1, 1e]', 'invalid number: no digits in the exponent at byte 6'],
      ['[1, -]', 'invalid number at byte 5'],
      ['[1, .5]', "input x: expected a number for FP32; actual '.' at byte 4"],
      ['[1, 2 3]', "unexpected '3'; expected ',' or ']' at byte 6"],
      ['[1, 2,]', "unexpected ']'; expected an array element at byte 6"],
      ['[1, [2]]', 'input x: arrays are ragged (not a rectangular ndarray) at byte 4'],
    ];
    for (const [text, message] of cases) {
      const error = thrown(() => readAll([text.slice(1, -1)], 'FP32'));
      expect(error.message).toContain(message);
    }
  });

  it('refuses a number longer than 64 characters after 64, inside a run', () => {
    const long = `1.${'1'.repeat(70)}`;
    const error = thrown(() => readAll(['1', long], 'FP32'));
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(error.message).toBe('Invalid argument - number longer than 64 characters at byte 3');
    // Exactly 64 characters is still a number.
    const edge = `1.${'2'.repeat(62)}`;
    expect(readAll(['1', edge], 'FP32')).toEqual([1, Math.fround(Number(edge))]);
  });
});
