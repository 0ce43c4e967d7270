import { TYPED_ARRAY_OF, bytesOf, typedView, type NumericDataType } from '@ovms/core';
import { fromFloat16Bits, toFloat16Bits } from './float16.js';

/** Little-endian bytes of `values` as `dtype` elements (FP16 rounded, BOOL as 0/1). */
export function encodeValues(dtype: NumericDataType, values: readonly number[]): Uint8Array {
  const array = new TYPED_ARRAY_OF[dtype](values.length);
  for (let i = 0; i < values.length; i++) array[i] = toElement(dtype, values[i] ?? 0);
  return bytesOf(array);
}

/** The elements of little-endian `bytes` as plain numbers (FP16 decoded, 64-bit via Number). */
export function decodeValues(dtype: NumericDataType, bytes: Uint8Array): number[] {
  const view = typedView(dtype, bytes);
  const out: number[] = [];
  for (const element of view) {
    const value = Number(element);
    out.push(dtype === 'FP16' ? fromFloat16Bits(value) : value);
  }
  return out;
}

function toElement(dtype: NumericDataType, value: number): number & bigint {
  // The typed array's own conversion wraps integers and rounds FP32 like the engines do.
  if (dtype === 'INT64' || dtype === 'UINT64') return BigInt(Math.trunc(value)) as number & bigint;
  if (dtype === 'FP16') return toFloat16Bits(value) as number & bigint;
  if (dtype === 'BF16') throw new Error('BF16 fixture values are not supported');
  if (dtype === 'BOOL') return (value !== 0 ? 1 : 0) as number & bigint;
  return value as number & bigint;
}
