import { TYPED_ARRAY_OF, bytesOf } from '@ovms/core';
import type { NumericDataType, NumericTypedArray } from '@ovms/core';

/** Pixels converted between yields to the event loop (well under a millisecond of work). */
const SLICE = 1 << 16;

function float16Bits(value: number): number {
  if (value === 0) return 0;
  const exponent = Math.floor(Math.log2(value));
  const mantissa = (value / 2 ** exponent - 1) * 1024;
  return ((exponent + 15) << 10) | mantissa;
}

function float32Bits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0] ?? 0;
}

/** Each byte value 0–255 in `dtype`: integers that small are exact in every numeric type. */
function valueTable(dtype: NumericDataType): NumericTypedArray {
  const values = Array.from({ length: 256 }, (_, value) => value);
  switch (dtype) {
    case 'FP16':
      return Uint16Array.from(values, float16Bits);
    case 'BF16':
      return Uint16Array.from(values, (value) => float32Bits(value) >>> 16);
    case 'INT64':
      return BigInt64Array.from(values, BigInt);
    case 'UINT64':
      return BigUint64Array.from(values, BigInt);
    case 'INT8':
      // OpenCV saturates 0–255 into int8, as its convertTo does.
      return Int8Array.from(values, (value) => Math.min(value, 127));
    case 'BOOL':
    case 'UINT8':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
    case 'UINT32':
    case 'FP32':
    case 'FP64': {
      const Ctor = TYPED_ARRAY_OF[dtype];
      const table = new Ctor(256);
      (table as Float64Array).set(values);
      return table;
    }
  }
}

const TABLES = new Map<NumericDataType, NumericTypedArray>();

function tableOf(dtype: NumericDataType): NumericTypedArray {
  let table = TABLES.get(dtype);
  if (table === undefined) {
    table = valueTable(dtype);
    TABLES.set(dtype, table);
  }
  return table;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * OpenCV's BGR→gray in its fixed-point form (cvtColor: 0.299 R + 0.587 G + 0.114 B scaled by
 * 2^14, rounded), so values equal OpenCV's to the unit.
 */
function gray(red: number, green: number, blue: number): number {
  return (red * 4899 + green * 9617 + blue * 1868 + 8192) >> 14;
}

/**
 * Writes decoded RGB pixels (sharp's `raw`, 3 bytes a pixel) into `out` from element `offset`
 * as BGR (`channels` 3) or OpenCV gray (`channels` 1), converted to the output's type. Large
 * images are converted in slices with a yield between them, so the loop is never held long.
 */
export async function writePixels(
  rgb: Uint8Array,
  channels: 1 | 3,
  dtype: NumericDataType,
  out: NumericTypedArray,
  offset: number,
): Promise<void> {
  const table = tableOf(dtype) as Float64Array;
  const target = out as Float64Array;
  const pixels = rgb.length / 3;
  for (let start = 0; start < pixels; start += SLICE) {
    if (start > 0) await yieldToLoop();
    const end = Math.min(pixels, start + SLICE);
    if (channels === 3) {
      for (let pixel = start; pixel < end; pixel++) {
        const from = pixel * 3;
        const to = offset + from;
        target[to] = table[rgb[from + 2] ?? 0] ?? 0;
        target[to + 1] = table[rgb[from + 1] ?? 0] ?? 0;
        target[to + 2] = table[rgb[from] ?? 0] ?? 0;
      }
    } else {
      for (let pixel = start; pixel < end; pixel++) {
        const from = pixel * 3;
        const value = gray(rgb[from] ?? 0, rgb[from + 1] ?? 0, rgb[from + 2] ?? 0);
        target[offset + pixel] = table[value] ?? 0;
      }
    }
  }
}

/** A zeroed output array of `count` elements of `dtype`, and its bytes. */
export function allocateOutput(
  dtype: NumericDataType,
  count: number,
): { array: NumericTypedArray; bytes: Uint8Array } {
  const array = new TYPED_ARRAY_OF[dtype](count);
  return { array, bytes: bytesOf(array) };
}
