import { describe, expect, it } from 'vitest';
import { typedView } from '@ovms/core';
import { JsonByteWriter } from './byte-writer.js';
import { writeFloat32s } from './float32-text.js';
import { float32Wasm, readFloat32RunWasm, writeFloat32sWasm } from './float32-wasm.js';
import { NdArrayReader } from './ndarray.js';
import { readFloatRun } from './number-run.js';
import { JsonReader } from './reader.js';
import { createTensorElements } from './tensor-elements.js';
import { formatFloat32 } from './writer.js';
import { createSeededRandom } from '../../test/support/seeded-random.js';

const wasm = float32Wasm()!;
type Run = (reader: JsonReader, array: Float32Array, count: number) => number;
const wasmRun: Run = (reader, array, count) => readFloat32RunWasm(wasm, reader, array, count);

/**
 * Reads `[tokens]` with `run` alone, standing in for the general reader (one token, as
 * Math.fround(Number(text))) wherever the run stops; checks each stop is right after a token.
 */
function readWithRun(tokens: readonly string[], run: Run, separator = ','): Float32Array {
  const reader = new JsonReader(`[${tokens.join(separator)}]`);
  const ends: number[] = [];
  let pos = 1;
  tokens.forEach((token, i) => {
    pos += (i > 0 ? separator.length : 0) + token.length;
    ends.push(pos);
  });
  const array = new Float32Array(tokens.length);
  array[0] = Math.fround(Number(tokens[0]));
  reader.pos = ends[0]!;
  let count = 1;
  while (count < tokens.length) {
    count = run(reader, array, count);
    expect(reader.pos).toBe(ends[count - 1]);
    if (count < tokens.length) {
      array[count] = Math.fround(Number(tokens[count]));
      reader.pos = ends[count]!;
      count += 1;
    }
  }
  return array;
}

/** Tokens whose values differ from Math.fround(Number(text)) in any bit. */
function misread(tokens: readonly string[], values: Float32Array): string[] {
  const expected = Float32Array.from(tokens, (token) => Number(token));
  const got = new Uint32Array(values.buffer);
  const want = new Uint32Array(expected.buffer);
  return tokens.filter((_, i) => got[i] !== want[i]);
}

/** A float32 from 32 random bits, any class (NaN, ±Infinity, subnormal, ±0 included). */
function randomFloat32(random: () => number): number {
  const bits = new Uint32Array([Math.floor(random() * 2 ** 32)]);
  return new Float32Array(bits.buffer)[0]!;
}

/** The neighbours' midpoint of a finite float32 above it, exactly, as a double. */
function midpointAbove(value: number): number {
  const bits = new Float32Array([value]);
  const up = new Uint32Array(bits.buffer);
  up[0]! += 1;
  return (value + bits[0]!) / 2;
}

/** A decimal text in one of the forms clients send or that probe the conversion's edges. */
function randomToken(random: () => number): string {
  let value = randomFloat32(random);
  while (!Number.isFinite(value)) value = randomFloat32(random);
  const digits = () => Math.floor(random() * 10);
  switch (Math.floor(random() * 10)) {
    case 0:
      return formatFloat32(value);
    case 1:
      // The double expansion: JSON.stringify of the values, numpy's tolist().
      return String(value);
    case 2:
      return value
        .toExponential(Math.floor(random() * 20))
        .replace('e', random() < 0.5 ? 'e' : 'E');
    case 3: {
      // A float32 midpoint (round-half-even decides), or a double just beside it.
      const midpoint = midpointAbove(Math.abs(value) < 3e38 ? value : 1);
      const nudge = [0, 1 - 2 ** -53, 1 + 2 ** -52][Math.floor(random() * 3)]!;
      return String(midpoint * nudge);
    }
    case 4: {
      // Long mantissas, past the 19 digits a 64-bit integer holds.
      let text = String(1 + Math.floor(random() * 9));
      for (let i = 20 + Math.floor(random() * 40); i > 0; i--) text += String(digits());
      const point = Math.floor(random() * (text.length - 1));
      return `${random() < 0.5 ? '-' : ''}${text.slice(0, point + 1)}.${text.slice(point + 1)}`;
    }
    case 5:
      // Around the float32 range's ends and beyond: 1e-50 .. 1e50.
      return `${digits()}.${digits()}${digits()}e${Math.floor(random() * 101) - 50}`;
    case 6:
      return ['0', '-0', '-0.0', '0.000', '0e-400', '1e-400', '-1e400', '1.4e-45', '7e-46'][
        Math.floor(random() * 9)
      ]!;
    case 7:
      // Subnormal float32s.
      return String(new Float32Array(new Uint32Array([Math.floor(random() * 0x800000)]).buffer)[0]);
    case 8:
      // Leading zeros after the point.
      return `${random() < 0.5 ? '-' : ''}0.${'0'.repeat(Math.floor(random() * 30))}${1 + digits()}${digits()}${digits()}`;
    default:
      return String(Math.floor(random() * 2 ** 40) - 2 ** 39);
  }
}

function textOf(writer: JsonByteWriter): string {
  return new TextDecoder().decode(writer.result());
}

describe('FP32 JSON in WebAssembly', () => {
  it('is available on the project runtime', () => {
    expect(wasm).not.toBeNull();
  });

  it('fuzz: seeded decimal texts read bit for bit as the TypeScript run and Number() read them', () => {
    const random = createSeededRandom(1515);
    const tokens = Array.from({ length: 300_000 }, () => randomToken(random));
    const fromWasm = readWithRun(tokens, wasmRun);
    expect(misread(tokens, fromWasm)).toEqual([]);
    const fromTypeScript = readWithRun(tokens, readFloatRun);
    expect(new Uint32Array(fromWasm.buffer)).toEqual(new Uint32Array(fromTypeScript.buffer));
  });

  it('takes whitespace around commas and stops before what the general reader must read', () => {
    const tokens = ['1.5', '-2', 'NaN', '3', 'Infinity', '01', '4'];
    const reader = new JsonReader(`[${tokens.join(' ,\n\t ')}]`);
    reader.pos = 4;
    const array = new Float32Array(7);
    expect(readFloat32RunWasm(wasm, reader, array, 1)).toBe(2);
    expect(array[1]).toBe(-2);
    // Right after -2, where the general element loop resumes at the comma.
    expect(reader.pos).toBe(4 + 5 + 2);
  });

  it('reads bodies past its window, numbers straddling the window ends', () => {
    const random = createSeededRandom(7);
    // ~3 MB: the 1 MiB window is reloaded mid-run, and every offset mod 64 is a window end.
    const tokens = Array.from({ length: 250_000 }, () => randomToken(random));
    const separators = [',', ', ', ',\n  ', ' ,'];
    const separator = separators[Math.floor(random() * separators.length)]!;
    expect(misread(tokens, readWithRun(tokens, wasmRun, separator))).toEqual([]);
    const elements = createTensorElements('FP32', { label: 'input x', capacity: 16 });
    const reader = new JsonReader(`[${tokens.join(separator)}]`);
    const array = new NdArrayReader(elements, 'input x');
    array.read(reader);
    reader.finish();
    const tensor = elements.toTensor(array.shape());
    if (tensor.dtype === 'BYTES') throw new Error('expected FP32');
    expect(misread(tokens, typedView('FP32', tensor.data))).toEqual([]);
  });

  it('leaves whitespace longer than its window to the general reader, then goes on', () => {
    const tokens = ['1', '2', '3', '4'];
    const gap = ' '.repeat(1.5 * 2 ** 20);
    const reader = new JsonReader(`[1,2,${gap}3,4]`);
    reader.pos = 2;
    const array = Float32Array.of(1, 0, 0, 0);
    expect(readFloat32RunWasm(wasm, reader, array, 1)).toBe(2);
    expect(reader.pos).toBe(4);
    // The general reader skips the gap and reads 3; the run takes 4 from there.
    reader.pos = 5 + gap.length + 1;
    array[2] = 3;
    expect(readFloat32RunWasm(wasm, reader, array, 3)).toBe(4);
    expect([...array]).toEqual(tokens.map(Number));
  });

  it('keeps two readers apart when their runs interleave', () => {
    const random = createSeededRandom(99);
    const first = Array.from({ length: 40_000 }, () => randomToken(random));
    const second = Array.from({ length: 40_000 }, () => randomToken(random));
    const readers = [first, second].map((tokens) => {
      const reader = new JsonReader(`[${tokens.join(',')}]`);
      reader.pos = 1 + tokens[0]!.length;
      const array = new Float32Array(tokens.length);
      array[0] = Number(tokens[0]);
      return { tokens, reader, array, count: 1 };
    });
    for (let limit = 1000; readers.some((state) => state.count < state.tokens.length);) {
      for (const state of readers) {
        // Runs capped at `limit` elements, so the other reader's run comes between.
        state.count = readFloat32RunWasm(
          wasm,
          state.reader,
          state.array.subarray(0, Math.min(limit, state.tokens.length)),
          state.count,
        );
        if (state.count < Math.min(limit, state.tokens.length)) {
          // The general reader's element: skip its comma and token.
          state.reader.pos += 1 + state.tokens[state.count]!.length;
          state.array[state.count] = Number(state.tokens[state.count]);
          state.count += 1;
        }
      }
      limit += 1000;
    }
    for (const state of readers) expect(misread(state.tokens, state.array)).toEqual([]);
  });

  it('fuzz: writes every class of float32 as the TypeScript writer does, and it reads back', () => {
    const random = createSeededRandom(4242);
    const values = new Float32Array(400_000);
    for (let i = 0; i < values.length; i++) {
      switch (i % 6) {
        case 0:
        case 1:
          values[i] = randomFloat32(random);
          break;
        case 2:
          // Model-like outputs: uniform in ±1, some ±1000.
          values[i] = (random() * 2 - 1) * (random() < 0.1 ? 1000 : 1);
          break;
        case 3:
          // Short decimals, whose text loses many digits.
          values[i] = Math.round((random() * 2 - 1) * 10_000) / 10 ** Math.floor(random() * 12);
          break;
        case 4:
          // Powers of two (a narrower gap below) and integers past 2^31.
          values[i] = (random() < 0.5 ? -1 : 1) * 2 ** (Math.floor(random() * 120) - 60);
          break;
        default:
          // Tiny normals (scales past the exact powers of ten), and around the edges.
          values[i] =
            random() < 0.5
              ? 2 ** -(47 + random() * 79)
              : [1e-14, 1e-7, 1e-6, 1e7][i % 4]! * (1 + (random() - 0.5) * 1e-6);
      }
    }
    const writer = new JsonByteWriter(16);
    writeFloat32sWasm(wasm, writer, values, 0, values.length, 0, formatFloat32);
    const text = textOf(writer);
    const reference = new Uint8Array(values.length * 25);
    const end = writeFloat32s(reference, 0, values, 0, values.length, 0, formatFloat32);
    expect(text === new TextDecoder().decode(reference.subarray(0, end))).toBe(true);
    const wrong = text.split(',').filter((token, i) => {
      const value = values[i]!;
      return Number.isNaN(value) ? token !== 'NaN' : !Object.is(Math.fround(Number(token)), value);
    });
    expect(wrong).toEqual([]);
  });

  it('writes the values it leaves with the slow formatter, commas placed by `first`', () => {
    const values = Float32Array.of(7, 0.5, NaN, -Infinity, 2 ** 32, 1e-40, -0, 0.1, 1e-7, 123.25);
    const writer = new JsonByteWriter(4);
    writer.byte(0x5b);
    writeFloat32sWasm(wasm, writer, values, 1, values.length, 1, formatFloat32);
    writer.byte(0x5d);
    expect(textOf(writer)).toBe('[0.5,NaN,-Infinity,4294967296,1e-40,-0,0.1,1e-7,123.25]');
    const tail = new JsonByteWriter(4);
    writeFloat32sWasm(wasm, tail, values, 8, values.length, 1, formatFloat32);
    expect(textOf(tail)).toBe(',1e-7,123.25');
  });

  it('leaves tiny values whose rounding sits on a half to the slow formatter', () => {
    // 2.38981975000001…e-17 and others: at eight digits the scaled value is a hair above a
    // half, nearer than the module's inexact scale (past 10^22) can vouch for: it leaves
    // them to the formatter that rounds the exact value, which rounds them up.
    const bits = Uint32Array.of(0x23dc6c06, 0x05affffa, 0x17a5c86e, 0x0a6e5c03, 0x1c0d1837);
    const values = new Float32Array(bits.buffer);
    const writer = new JsonByteWriter(4);
    writeFloat32sWasm(wasm, writer, values, 0, values.length, 0, formatFloat32);
    expect(textOf(writer)).toBe(
      '2.3898198e-17,1.6550952e-35,1.0713471e-24,1.1476589e-32,4.6684284e-22',
    );
  });

  it('writes runs longer than one call of the module, ending with a value it leaves', () => {
    const values = new Float32Array(50_000).map((_, i) => i / 7);
    values[values.length - 1] = Infinity;
    const writer = new JsonByteWriter(4);
    writeFloat32sWasm(wasm, writer, values, 0, values.length, 0, formatFloat32);
    const tokens = textOf(writer).split(',');
    expect(tokens).toHaveLength(values.length);
    expect(tokens.at(-1)).toBe('Infinity');
    expect(tokens.slice(0, -1).every((token, i) => Math.fround(Number(token)) === values[i])).toBe(
      true,
    );
  });
});
