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
import type { JsonByteWriter } from './byte-writer.js';
import { float32Wasm, writeFloat32sWasm } from './float32-wasm.js';
import { MAX_FLOAT32_CHARS, writeAscii, writeFloat32s, writeUint31 } from './float32-text.js';

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

const HALF_PRECISIONS = [3, 4, 5];
const BFLOAT_PRECISIONS = [2, 3, 4];

/**
 * Float32 as the fewest significant digits, trimmed from 9 (which always read back) while
 * the exact decimal rounding still reads back to the same float32; as writeFloat32s writes
 * it, by a slower road: for the values its fast path leaves (integers ≥ 2^31, magnitudes
 * below 1e-14) and as its reference.
 */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) < 1e15)) {
    return formatJsonNumber(value);
  }
  let best = Number(value.toPrecision(9));
  for (let precision = 8; precision >= 1; precision--) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) !== value) break;
    best = candidate;
  }
  return formatJsonNumber(best);
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

/**
 * Writes `count` elements of a tensor from element `offset` as JSON scalars separated by
 * commas. One call per innermost array, so the per-element work is a tight loop.
 */
export type ElementWriter = (out: JsonByteWriter, offset: number, count: number) => void;

/** An ElementWriter from a per-element formatter, for the types no fast path covers. */
export function formattedElements(format: (index: number) => string, utf8 = false): ElementWriter {
  return (out, offset, count) => {
    for (let i = 0; i < count; i++) {
      if (i > 0) out.byte(COMMA);
      if (utf8) out.text(format(offset + i));
      else out.ascii(format(offset + i));
    }
  };
}

const COMMA = 0x2c;
/**
 * Elements written per reservation of their worst-case size: reserving for a whole 10 MB
 * tensor at 25 bytes an element would allocate twice what its text takes.
 */
const BLOCK = 4096;

function float32Elements(view: Float32Array): ElementWriter {
  const wasm = float32Wasm();
  if (wasm !== null) {
    return (out, offset, count) =>
      writeFloat32sWasm(wasm, out, view, offset, offset + count, offset, formatFloat32);
  }
  return (out, offset, count) => {
    for (let from = 0; from < count; from += BLOCK) {
      const to = Math.min(count, from + BLOCK);
      out.reserve((to - from) * (MAX_FLOAT32_CHARS + 1));
      out.pos = writeFloat32s(
        out.bytes,
        out.pos,
        view,
        offset + from,
        offset + to,
        offset,
        formatFloat32,
      );
    }
  };
}

/** Integers of up to 32 bits: digits written directly, no string per element. */
function int32Elements(view: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array) {
  return ((out, offset, count) => {
    for (let from = 0; from < count; from += BLOCK) {
      const to = Math.min(count, from + BLOCK);
      // "-2147483648," is the longest.
      out.reserve((to - from) * 12);
      const bytes = out.bytes;
      let pos = out.pos;
      for (let i = from; i < to; i++) {
        if (i > 0) bytes[pos++] = COMMA;
        const value = view[offset + i]!;
        if (value < 0) {
          bytes[pos++] = 0x2d;
          pos =
            value === -2147483648
              ? writeAscii(bytes, pos, '2147483648')
              : writeUint31(bytes, pos, -value);
        } else {
          pos = writeUint31(bytes, pos, value);
        }
      }
      out.pos = pos;
    }
  }) satisfies ElementWriter;
}

/** An element writer for a numeric tensor; the typed view is made once. */
export function numericElements(tensor: NumericTensor): ElementWriter {
  const dtype: NumericDataType = tensor.dtype;
  switch (dtype) {
    case 'BOOL': {
      const view = typedView(dtype, tensor.data);
      return formattedElements((i) => (view[i] ? 'true' : 'false'));
    }
    case 'FP32':
      return float32Elements(typedView(dtype, tensor.data));
    case 'FP64': {
      const view = typedView(dtype, tensor.data);
      return formattedElements((i) => formatJsonNumber(view[i] ?? 0));
    }
    case 'FP16': {
      const view = typedView(dtype, tensor.data);
      return formattedElements((i) => formatHalf(view[i] ?? 0));
    }
    case 'BF16': {
      const view = typedView(dtype, tensor.data);
      return formattedElements((i) => formatBfloat16(view[i] ?? 0));
    }
    case 'INT64':
    case 'UINT64': {
      const view = typedView(dtype, tensor.data);
      return formattedElements((i) => String(view[i] ?? 0n));
    }
    case 'UINT32': {
      const view = typedView(dtype, tensor.data);
      return formattedElements((i) => String(view[i] ?? 0));
    }
    case 'INT8':
    case 'UINT8':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
      return int32Elements(typedView(dtype, tensor.data));
  }
}

/** Elements [offset, offset + count) of a tensor as one flat JSON array. */
export function writeFlatArray(
  out: JsonByteWriter,
  elements: ElementWriter,
  offset: number,
  count: number,
): void {
  out.byte(0x5b);
  elements(out, offset, count);
  out.byte(0x5d);
}

/**
 * The row-major elements starting at `offset`, nested by `dims` (row-major, as both TF
 * Serving and KServe lay tensors out). Empty `dims` gives the bare scalar.
 */
export function writeNestedArray(
  out: JsonByteWriter,
  elements: ElementWriter,
  dims: readonly number[],
  offset = 0,
): void {
  if (dims.length === 0) {
    elements(out, offset, 1);
    return;
  }
  const [outer = 0, ...inner] = dims;
  if (inner.length === 0) {
    writeFlatArray(out, elements, offset, outer);
    return;
  }
  let stride = 1;
  for (const dim of inner) stride *= dim;
  out.byte(0x5b);
  for (let i = 0; i < outer; i++) {
    if (i > 0) out.byte(COMMA);
    writeNestedArray(out, elements, inner, offset + i * stride);
  }
  out.byte(0x5d);
}

export function isNumericTensor(tensor: Tensor): tensor is NumericTensor {
  return !isBytesTensor(tensor);
}
