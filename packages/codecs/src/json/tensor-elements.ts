import {
  MAX_TENSOR_ELEMENTS,
  ServingError,
  StatusCode,
  TYPED_ARRAY_OF,
  bytesOf,
  createBytesTensor,
  createNumericTensor,
  type DataType,
  type NumericDataType,
  type NumericTypedArray,
  type Tensor,
} from '@ovms/core';
import {
  scanNumber,
  startsNumber,
  token,
  tokenText,
  tokenToInteger,
  tokenToNumber,
} from './number-token.js';
import type { JsonReader } from './reader.js';
import { decodeBase64 } from './base64.js';
import { readFloatRun } from './number-run.js';
import { float32Wasm, readFloat32RunWasm } from './float32-wasm.js';
import { numberToBfloat16Bits, numberToHalfBits } from './small-float.js';

/** Reads one JSON scalar per call into a growing tensor of one dtype. */
export interface TensorElements {
  readonly dtype: DataType;
  readonly count: number;
  read(reader: JsonReader): void;
  /**
   * Reads any further `, value` elements of the innermost array that a fast path can take,
   * right after `read`; returns how many. What it leaves, `read` reads (and refuses).
   */
  readRun(reader: JsonReader): number;
  toTensor(shape: readonly number[]): Tensor;
}

export interface TensorElementsOptions {
  /** Names the tensor in error messages, e.g. `input x`. */
  readonly label: string;
  /** Elements to allocate up front; the array grows geometrically past it. */
  readonly capacity?: number;
  /** Accept TF Serving's `{"b64": "..."}` for BYTES elements. */
  readonly base64Objects?: boolean;
}

const INT_RANGES: Partial<Record<NumericDataType, readonly [number, number]>> = {
  INT8: [-(2 ** 7), 2 ** 7 - 1],
  UINT8: [0, 2 ** 8 - 1],
  INT16: [-(2 ** 15), 2 ** 15 - 1],
  UINT16: [0, 2 ** 16 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT32: [0, 2 ** 32 - 1],
};
const BIGINT_RANGES: Partial<Record<NumericDataType, readonly [bigint, bigint]>> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};

function contentError(reader: JsonReader, detail: string, at = reader.pos): never {
  return reader.fail(detail, StatusCode.REST_COULD_NOT_PARSE_INPUT, at);
}

class NumericElements implements TensorElements {
  count = 0;
  private array: NumericTypedArray;
  private readonly intRange: readonly [number, number] | undefined;
  private readonly bigintRange: readonly [bigint, bigint] | undefined;

  constructor(
    readonly dtype: NumericDataType,
    private readonly label: string,
    capacity: number,
  ) {
    this.array = new TYPED_ARRAY_OF[dtype](Math.max(1, Math.min(capacity, MAX_TENSOR_ELEMENTS)));
    this.intRange = INT_RANGES[dtype];
    this.bigintRange = BIGINT_RANGES[dtype];
  }

  read(reader: JsonReader): void {
    if (this.count === this.array.length) this.grow(reader);
    const c = reader.peek();
    if (this.dtype === 'BOOL') {
      if (c !== 0x74 && c !== 0x66) this.typeError(reader, 'true or false');
      reader.readWord(c === 0x74 ? 'true' : 'false');
      (this.array as Uint8Array)[this.count++] = c === 0x74 ? 1 : 0;
      return;
    }
    if (!startsNumber(c)) this.typeError(reader, 'a number');
    scanNumber(reader);
    if (this.intRange === undefined && this.bigintRange === undefined) {
      this.writeFloat(tokenToNumber(reader));
    } else {
      this.writeInteger(reader);
    }
  }

  readRun(reader: JsonReader): number {
    const before = this.count;
    const wasm = this.dtype === 'FP32' ? float32Wasm() : null;
    if (wasm !== null) {
      this.count = readFloat32RunWasm(wasm, reader, this.array as Float32Array, before);
    } else if (this.dtype === 'FP32' || this.dtype === 'FP64') {
      this.count = readFloatRun(reader, this.array as Float32Array | Float64Array, before);
    }
    return this.count - before;
  }

  private writeFloat(value: number): void {
    const array = this.array as Float64Array;
    if (this.dtype === 'FP16') array[this.count++] = numberToHalfBits(value);
    else if (this.dtype === 'BF16') array[this.count++] = numberToBfloat16Bits(value);
    else array[this.count++] = value;
  }

  private writeInteger(reader: JsonReader): void {
    if (!token.integer) {
      contentError(
        reader,
        `${this.label}: expected an integer for ${this.dtype}; actual ${tokenText(reader)}`,
        token.start,
      );
    }
    const value = tokenToInteger(reader);
    const intRange = this.intRange;
    if (intRange !== undefined) {
      if (typeof value === 'number' && value >= intRange[0] && value <= intRange[1]) {
        (this.array as Float64Array)[this.count++] = value;
        return;
      }
    } else if (this.bigintRange !== undefined) {
      if (typeof value === 'bigint' || Number.isFinite(value)) {
        const big = BigInt(value);
        if (big >= this.bigintRange[0] && big <= this.bigintRange[1]) {
          (this.array as BigInt64Array)[this.count++] = big;
          return;
        }
      }
    }
    contentError(
      reader,
      `${this.label}: value ${tokenText(reader)} is out of range for ${this.dtype}`,
      token.start,
    );
  }

  private typeError(reader: JsonReader, expected: string): never {
    contentError(
      reader,
      `${this.label}: expected ${expected} for ${this.dtype}; actual ${reader.describeNext()}`,
    );
  }

  private grow(reader: JsonReader): void {
    if (this.count >= MAX_TENSOR_ELEMENTS) {
      contentError(reader, `${this.label}: more than ${MAX_TENSOR_ELEMENTS} elements`);
    }
    const next = new TYPED_ARRAY_OF[this.dtype](Math.min(this.count * 2, MAX_TENSOR_ELEMENTS));
    (next as Uint8Array).set(this.array as Uint8Array);
    this.array = next;
  }

  toTensor(shape: readonly number[]): Tensor {
    return createNumericTensor(this.dtype, shape, bytesOf(this.array.subarray(0, this.count)));
  }
}

class BytesElements implements TensorElements {
  readonly dtype = 'BYTES';
  private readonly elements: Uint8Array[] = [];

  constructor(
    private readonly label: string,
    private readonly base64Objects: boolean,
  ) {}

  get count(): number {
    return this.elements.length;
  }

  read(reader: JsonReader): void {
    const c = reader.peek();
    if (c === 0x22) {
      this.elements.push(reader.readStringBytes());
      return;
    }
    if (c !== 0x7b || !this.base64Objects) {
      contentError(
        reader,
        `${this.label}: expected ${this.base64Objects ? 'a string or {"b64": …}' : 'a string'} for BYTES; actual ${reader.describeNext()}`,
      );
    }
    const at = reader.pos;
    reader.beginObject();
    if (reader.nextKey(true) !== 'b64' || reader.peek() !== 0x22) {
      contentError(reader, `${this.label}: expected {"b64": "<base64 string>"}`, at);
    }
    const text = reader.readStringBytes();
    if (reader.nextKey(false) !== undefined) {
      contentError(reader, `${this.label}: {"b64": …} must have no other keys`, at);
    }
    const decoded = decodeBase64(text);
    if (decoded === undefined) {
      throw new ServingError(StatusCode.REST_INVALID_BASE64, `${this.label} at byte ${at}`);
    }
    this.elements.push(decoded);
  }

  readRun(): number {
    return 0;
  }

  toTensor(shape: readonly number[]): Tensor {
    return createBytesTensor(shape, this.elements);
  }
}

/** A sink for the elements of one tensor of `dtype`, read one JSON scalar at a time. */
export function createTensorElements(
  dtype: DataType,
  options: TensorElementsOptions,
): TensorElements {
  if (dtype === 'BYTES') return new BytesElements(options.label, options.base64Objects ?? false);
  return new NumericElements(dtype, options.label, options.capacity ?? 1024);
}
