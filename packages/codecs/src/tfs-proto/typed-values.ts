import { ServingError, StatusCode, TYPED_ARRAY_OF, bytesOf } from '@ovms/core';
import type { NumericDataType } from '@ovms/core';

/**
 * Typed proto values (TF Serving `*_val`, KServe `*_contents`) written into a fresh typed
 * array of the tensor's dtype, in one pass that also checks the value count and, for integer
 * types narrower than their proto field, the range of each value.
 */

/** Dtypes whose proto values are JS numbers (not bigint, not boolean). */
export type NumberValuedDataType = Exclude<NumericDataType, 'BOOL' | 'INT64' | 'UINT64'>;

export interface TypedValuesOptions {
  readonly elementCount: number;
  readonly inputName: string;
  /** The repeated field the values came from, named in range errors. */
  readonly field: string;
  /** TF Serving's version-0 rule: exactly one value is broadcast to the whole shape. */
  readonly broadcast: boolean;
}

type NumberArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

// FP16/BF16 arrive as the 16-bit pattern in an int32 (TF half_val), so they get a range too.
const INTEGER_RANGES: { readonly [T in NumberValuedDataType]: readonly [number, number] | null } = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  FP16: [0, 65535],
  BF16: [0, 65535],
  INT32: [-2147483648, 2147483647],
  UINT32: [0, 4294967295],
  FP32: null,
  FP64: null,
};

/** True when the single value is to be broadcast; throws INVALID_VALUE_COUNT on a mismatch. */
function isBroadcast(count: number, options: TypedValuesOptions): boolean {
  if (count === options.elementCount) return false;
  if (options.broadcast && count === 1) return true;
  throw new ServingError(
    StatusCode.INVALID_VALUE_COUNT,
    `Expected: ${options.elementCount}; Actual: ${count}; input name: ${options.inputName}`,
  );
}

function outOfRange(
  dtype: NumericDataType,
  range: readonly [number, number],
  value: number,
  index: number,
  options: TypedValuesOptions,
): ServingError {
  return new ServingError(
    StatusCode.INVALID_ARGUMENT,
    `Expected: ${dtype} values in [${range[0]}, ${range[1]}]; Actual: ${value} at ${options.field}[${index}]; input name: ${options.inputName}`,
  );
}

export function dataFromNumbers(
  dtype: NumberValuedDataType,
  values: readonly number[],
  options: TypedValuesOptions,
): Uint8Array {
  const broadcast = isBroadcast(values.length, options);
  const Ctor = TYPED_ARRAY_OF[dtype];
  const range = INTEGER_RANGES[dtype];
  if (range === null) {
    const out = new Ctor(options.elementCount) as Float32Array | Float64Array;
    if (broadcast) out.fill(values[0] ?? 0);
    else out.set(values);
    return bytesOf(out);
  }
  const [min, max] = range;
  const out = new Ctor(options.elementCount) as NumberArray;
  if (broadcast) {
    const value = values[0] ?? 0;
    if (!(value >= min && value <= max)) throw outOfRange(dtype, range, value, 0, options);
    out.fill(value);
    return bytesOf(out);
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!(value >= min && value <= max)) throw outOfRange(dtype, range, value, i, options);
    out[i] = value;
  }
  return bytesOf(out);
}

export function dataFromBigints(
  dtype: 'INT64' | 'UINT64',
  values: readonly bigint[],
  options: TypedValuesOptions,
): Uint8Array {
  const broadcast = isBroadcast(values.length, options);
  // Values decoded from the wire are always within their proto field's 64-bit range.
  const out =
    dtype === 'INT64'
      ? new BigInt64Array(options.elementCount)
      : new BigUint64Array(options.elementCount);
  if (broadcast) out.fill(values[0] ?? 0n);
  else out.set(values);
  return bytesOf(out);
}

export function dataFromBooleans(
  values: readonly boolean[],
  options: TypedValuesOptions,
): Uint8Array {
  const broadcast = isBroadcast(values.length, options);
  const out = new Uint8Array(options.elementCount);
  if (broadcast) {
    out.fill(values[0] ? 1 : 0);
    return out;
  }
  for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  return out;
}

/** BYTES elements are kept as the proto's own views; only the count is checked. */
export function bytesElements(
  values: readonly Uint8Array[],
  options: TypedValuesOptions,
): readonly Uint8Array[] {
  if (!isBroadcast(values.length, options)) return values;
  const only = values[0] ?? new Uint8Array(0);
  return Array.from({ length: options.elementCount }, () => only);
}
