import {
  isBytesTensor,
  typedView,
  type NumericDataType,
  type NumericTensor,
  type Tensor,
} from '@ovms/core';
import {
  bfloat16BitsToNumber,
  halfBitsToNumber,
  numberToBfloat16Bits,
  numberToHalfBits,
} from './small-float.js';

/**
 * Writes a double as JSON, with the NaN / Infinity / -Infinity tokens TF Serving emits
 * (api_rest.md, "JSON Mapping") and -0 kept, so every value survives a round trip.
 */
export function formatJsonNumber(value: number): string {
  if (Number.isFinite(value)) return value === 0 && 1 / value < 0 ? '-0' : String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * The shortest of a few decimal precisions that reads back to the same element: float32 needs
 * at most 9 significant digits, FP16 5, BF16 4. Writing the double expansion of a float32
 * (0.1f → 0.10000000149011612) would double the body and mislead readers.
 */
function shortest(value: number, precisions: readonly number[], same: (x: number) => boolean) {
  if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) < 1e15))
    return formatJsonNumber(value);
  for (const precision of precisions) {
    const candidate = Number(value.toPrecision(precision));
    if (same(candidate)) return formatJsonNumber(candidate);
  }
  return formatJsonNumber(value);
}

const FLOAT32_PRECISIONS = [7, 8, 9];
const HALF_PRECISIONS = [3, 4, 5];
const BFLOAT_PRECISIONS = [2, 3, 4];

/**
 * Float32 as JSON: 9 significant digits always read back to the same float32, and cost one
 * toPrecision call. Only a 9-digit form showing a run of 0s or 9s (0.1f → 0.100000001) can
 * hide a shorter one, so only those pay for the search.
 */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) < 1e15)) {
    return formatJsonNumber(value);
  }
  const text = value.toPrecision(9);
  if (text.includes('000') || text.includes('999')) {
    return shortest(value, FLOAT32_PRECISIONS, (x) => Math.fround(x) === value);
  }
  return trimZeros(text);
}

/** Drops trailing zeros of the digits from toPrecision ("1.50000000e-7" → "1.5e-7"). */
function trimZeros(text: string): string {
  const e = text.indexOf('e');
  const digits = e === -1 ? text : text.slice(0, e);
  if (!digits.includes('.') || !digits.endsWith('0')) return text;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 0x30) end -= 1;
  if (digits.charCodeAt(end - 1) === 0x2e) end -= 1;
  return digits.slice(0, end) + (e === -1 ? '' : text.slice(e));
}

export function formatHalf(bits: number): string {
  return shortest(halfBitsToNumber(bits), HALF_PRECISIONS, (x) => numberToHalfBits(x) === bits);
}

export function formatBfloat16(bits: number): string {
  return shortest(
    bfloat16BitsToNumber(bits),
    BFLOAT_PRECISIONS,
    (x) => numberToBfloat16Bits(x) === bits,
  );
}

/** Formats element `index` of a tensor as a JSON scalar. */
export type ElementFormatter = (index: number) => string;

/** A formatter for a numeric tensor's elements; the typed view is made once. */
export function numericFormatter(tensor: NumericTensor): ElementFormatter {
  const dtype: NumericDataType = tensor.dtype;
  switch (dtype) {
    case 'BOOL': {
      const view = typedView(dtype, tensor.data);
      return (i) => (view[i] ? 'true' : 'false');
    }
    case 'FP32': {
      const view = typedView(dtype, tensor.data);
      return (i) => formatFloat32(view[i] ?? 0);
    }
    case 'FP64': {
      const view = typedView(dtype, tensor.data);
      return (i) => formatJsonNumber(view[i] ?? 0);
    }
    case 'FP16': {
      const view = typedView(dtype, tensor.data);
      return (i) => formatHalf(view[i] ?? 0);
    }
    case 'BF16': {
      const view = typedView(dtype, tensor.data);
      return (i) => formatBfloat16(view[i] ?? 0);
    }
    case 'INT64':
    case 'UINT64': {
      const view = typedView(dtype, tensor.data);
      return (i) => String(view[i] ?? 0n);
    }
    case 'INT8':
    case 'UINT8':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
    case 'UINT32': {
      const view = typedView(dtype, tensor.data);
      return (i) => String(view[i] ?? 0);
    }
  }
}

/** JSON for elements [offset, offset + count) of a tensor as one flat array. */
export function flatJsonArray(format: ElementFormatter, offset: number, count: number): string {
  let out = '[';
  for (let i = 0; i < count; i++) out += i === 0 ? format(offset + i) : ',' + format(offset + i);
  return out + ']';
}

/**
 * JSON for the row-major elements starting at `offset`, nested by `dims` (row-major, as both
 * TF Serving and KServe lay tensors out). Empty `dims` gives the bare scalar.
 */
export function nestedJsonArray(
  format: ElementFormatter,
  dims: readonly number[],
  offset = 0,
): string {
  if (dims.length === 0) return format(offset);
  const [outer = 0, ...inner] = dims;
  if (inner.length === 0) return flatJsonArray(format, offset, outer);
  let stride = 1;
  for (const dim of inner) stride *= dim;
  let out = '[';
  for (let i = 0; i < outer; i++) {
    if (i > 0) out += ',';
    out += nestedJsonArray(format, inner, offset + i * stride);
  }
  return out + ']';
}

export function isNumericTensor(tensor: Tensor): tensor is NumericTensor {
  return !isBytesTensor(tensor);
}
