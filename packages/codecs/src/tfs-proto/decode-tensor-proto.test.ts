import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_TYPES, ServingError, TYPED_ARRAY_OF, bytesOf, typedView } from '@ovms/core';
import type { DataType, NumericDataType } from '@ovms/core';
import { DataType as TfDataType, TensorProto } from '@ovms/proto';
import { decodeTensorProto } from './decode-tensor-proto.js';
import { tensorShapeProto } from './tensor-shape.js';
import { tfDataTypeOf } from './tf-data-type.js';

type Value = number | bigint | boolean | Uint8Array;

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

const int = (min: number, max: number) => fc.integer({ min, max });
const VALUES: { readonly [T in DataType]: fc.Arbitrary<Value> } = {
  BOOL: fc.boolean(),
  UINT8: int(0, 255),
  UINT16: int(0, 65535),
  UINT32: int(0, 2 ** 32 - 1),
  UINT64: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constant(2n ** 53n + 1n)),
  INT8: int(-128, 127),
  INT16: int(-32768, 32767),
  INT32: int(-(2 ** 31), 2 ** 31 - 1),
  INT64: fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.constant(-(2n ** 53n) - 3n),
  ),
  FP16: int(0, 65535),
  BF16: int(0, 65535),
  FP32: fc.float(),
  FP64: fc.double(),
  BYTES: fc.uint8Array({ maxLength: 8 }),
};

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
function caseArb(dtype: DataType) {
  return shapeArb.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc
      .array(VALUES[dtype], { minLength: n, maxLength: n })
      .map((values) => ({ shape, values }));
  });
}

/** The little-endian bytes a numeric dtype's values must decode to. */
function expectedBytes(dtype: NumericDataType, values: readonly Value[]): number[] {
  const out = new TYPED_ARRAY_OF[dtype](values.length);
  values.forEach((v, i) => (out[i] = typeof v === 'boolean' ? Number(v) : (v as never)));
  return [...bytesOf(out)];
}

/** A TensorProto carrying `values` in the dtype's typed field, built as a client would. */
function typedProto(dtype: DataType, shape: readonly number[], values: readonly Value[]) {
  const base = { dtype: tfDataTypeOf(dtype), tensorShape: tensorShapeProto(shape) };
  const as = <T>() => values as T[];
  switch (dtype) {
    case 'BOOL':
      return TensorProto.fromPartial({ ...base, boolVal: as<boolean>() });
    case 'INT64':
      return TensorProto.fromPartial({ ...base, int64Val: as<bigint>() });
    case 'UINT64':
      return TensorProto.fromPartial({ ...base, uint64Val: as<bigint>() });
    case 'UINT32':
      return TensorProto.fromPartial({ ...base, uint32Val: as<number>() });
    case 'FP16':
    case 'BF16':
      return TensorProto.fromPartial({ ...base, halfVal: as<number>() });
    case 'FP32':
      return TensorProto.fromPartial({ ...base, floatVal: as<number>() });
    case 'FP64':
      return TensorProto.fromPartial({ ...base, doubleVal: as<number>() });
    case 'BYTES':
      return TensorProto.fromPartial({ ...base, stringVal: as<Uint8Array>() });
    case 'INT8':
    case 'UINT8':
    case 'INT16':
    case 'UINT16':
    case 'INT32':
      return TensorProto.fromPartial({ ...base, intVal: as<number>() });
  }
}

const ALL = Object.keys(DATA_TYPES) as DataType[];
const NUMERIC = ALL.filter((d): d is NumericDataType => d !== 'BYTES');

describe('decodeTensorProto, typed *_val fields', () => {
  it.each(ALL)('decodes %s values exactly, also after a wire round trip', (dtype) => {
    fc.assert(
      fc.property(caseArb(dtype), ({ shape, values }) => {
        const proto = typedProto(dtype, shape, values);
        const wire = TensorProto.decode(TensorProto.encode(proto).finish());
        for (const decoded of [proto, wire].map((p) => decodeTensorProto(p, 'x'))) {
          expect(decoded.dtype).toBe(dtype);
          expect(decoded.shape).toEqual(shape);
          if (decoded.dtype === 'BYTES') expect(decoded.data).toEqual(values);
          else expect([...decoded.data]).toEqual(expectedBytes(decoded.dtype, values));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('decodes the documented 1x3 float_val example', () => {
    const proto = TensorProto.fromPartial({
      dtype: TfDataType.DT_FLOAT,
      tensorShape: tensorShapeProto([1, 3]),
      floatVal: [1, 2.5, -3],
    });
    const tensor = decodeTensorProto(proto, 'x');
    expect(tensor.dtype).toBe('FP32');
    expect(tensor.shape).toEqual([1, 3]);
    if (tensor.dtype === 'BYTES') throw new Error('numeric expected');
    expect([...typedView('FP32', tensor.data)]).toEqual([1, 2.5, -3]);
  });

  it('broadcasts a single value to the whole shape (version-0 rule)', () => {
    const proto = TensorProto.fromPartial({
      dtype: TfDataType.DT_INT64,
      tensorShape: tensorShapeProto([2, 2]),
      int64Val: [2n ** 62n + 1n],
    });
    const tensor = decodeTensorProto(proto, 'x');
    if (tensor.dtype !== 'INT64') throw new Error('INT64 expected');
    expect([...typedView('INT64', tensor.data)]).toEqual(Array(4).fill(2n ** 62n + 1n));
    const strings = decodeTensorProto(typedProto('BYTES', [3], [new Uint8Array([7])]), 's');
    expect(strings.data).toEqual(Array(3).fill(new Uint8Array([7])));
  });

  it('keeps NaN, infinities, -0 and FP16/BF16 bit patterns exact', () => {
    const floats = decodeTensorProto(typedProto('FP32', [4], [NaN, Infinity, -Infinity, -0]), 'f');
    if (floats.dtype !== 'FP32') throw new Error('FP32 expected');
    expect([...typedView('FP32', floats.data)]).toEqual([NaN, Infinity, -Infinity, -0]);
    expect(Object.is(typedView('FP32', floats.data)[3], -0)).toBe(true);
    const half = decodeTensorProto(typedProto('FP16', [3], [0x7e00, 0xfc00, 0x3c00]), 'h');
    if (half.dtype !== 'FP16') throw new Error('FP16 expected');
    expect([...typedView('FP16', half.data)]).toEqual([0x7e00, 0xfc00, 0x3c00]);
  });
});

describe('decodeTensorProto, tensor_content', () => {
  it.each(NUMERIC)('decodes %s tensor_content as a view of it', (dtype) => {
    fc.assert(
      fc.property(caseArb(dtype), ({ shape, values }) => {
        const content = new Uint8Array(expectedBytes(dtype, values));
        const proto = TensorProto.fromPartial({
          dtype: tfDataTypeOf(dtype),
          tensorShape: tensorShapeProto(shape),
          tensorContent: content,
        });
        const tensor = decodeTensorProto(proto, 'x');
        expect(tensor).toEqual({ dtype, shape, data: content });
        // Zero elements carry no tensor_content on the wire, so only non-empty data is a view.
        if (content.byteLength > 0) expect(tensor.data).toBe(content);
      }),
      { numRuns: 50 },
    );
  });

  it('gives correct values from a misaligned tensor_content through typedView (one copy)', () => {
    const buffer = new Uint8Array(1 + 8);
    new DataView(buffer.buffer).setFloat32(1, 1.5, true);
    new DataView(buffer.buffer).setFloat32(5, -2, true);
    const content = buffer.subarray(1);
    const tensor = decodeTensorProto(
      TensorProto.fromPartial({
        dtype: TfDataType.DT_FLOAT,
        tensorShape: tensorShapeProto([2]),
        tensorContent: content,
      }),
      'x',
    );
    if (tensor.dtype !== 'FP32') throw new Error('FP32 expected');
    expect(tensor.data.byteOffset).toBe(1);
    const view = typedView('FP32', tensor.data);
    expect([...view]).toEqual([1.5, -2]);
    expect(view.buffer).not.toBe(buffer.buffer);
  });
});

describe('decodeTensorProto errors', () => {
  const message = (partial: Parameters<typeof TensorProto.fromPartial>[0]) => {
    const error = thrown(() => decodeTensorProto(TensorProto.fromPartial(partial), 'x'));
    return [error.code, error.message];
  };
  const shape = (dims: number[]) => tensorShapeProto(dims);

  it('refuses a dtype ovms-ts does not serve with INVALID_PRECISION', () => {
    expect(message({ dtype: TfDataType.DT_COMPLEX64, tensorShape: shape([1]) })).toEqual([
      'INVALID_PRECISION',
      'Invalid input precision - Unsupported tensor proto dtype DT_COMPLEX64; input name: x',
    ]);
  });

  it('refuses a tensor_content of the wrong size with INVALID_CONTENT_SIZE', () => {
    const tensorContent = new Uint8Array(11);
    expect(
      message({ dtype: TfDataType.DT_FLOAT, tensorShape: shape([1, 3]), tensorContent }),
    ).toEqual([
      'INVALID_CONTENT_SIZE',
      'Invalid content size of tensor proto - Expected: 12 bytes; Actual: 11 bytes; input name: x',
    ]);
  });

  it('refuses a value count that is neither the element count nor one', () => {
    expect(
      message({ dtype: TfDataType.DT_FLOAT, tensorShape: shape([2, 2]), floatVal: [1, 2] }),
    ).toEqual([
      'INVALID_VALUE_COUNT',
      'Invalid number of values in tensor proto container - Expected: 4; Actual: 2; input name: x',
    ]);
    expect(message({ dtype: TfDataType.DT_STRING, tensorShape: shape([3]) })).toEqual([
      'INVALID_VALUE_COUNT',
      'Invalid number of values in tensor proto container - Expected: 3; Actual: 0; input name: x',
    ]);
  });

  it('refuses an int_val value out of range for the dtype', () => {
    expect(
      message({ dtype: TfDataType.DT_UINT8, tensorShape: shape([2]), intVal: [1, 300] }),
    ).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - Expected: UINT8 values in [0, 255]; Actual: 300 at int_val[1]; input name: x',
    ]);
  });

  it('refuses an out-of-range value that would be broadcast', () => {
    expect(message({ dtype: TfDataType.DT_UINT8, tensorShape: shape([4]), intVal: [256] })).toEqual(
      [
        'INVALID_ARGUMENT',
        'Invalid argument - Expected: UINT8 values in [0, 255]; Actual: 256 at int_val[0]; input name: x',
      ],
    );
  });

  it('refuses tensor_content together with typed values', () => {
    const partial = { tensorShape: shape([1]), tensorContent: new Uint8Array(4), floatVal: [1] };
    expect(message({ dtype: TfDataType.DT_FLOAT, ...partial })).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - tensor_content and float_val are both set; send one; input name: x',
    ]);
  });

  it('refuses tensor_content for DT_STRING', () => {
    const partial = { tensorShape: shape([1]), tensorContent: new Uint8Array(4) };
    expect(message({ dtype: TfDataType.DT_STRING, ...partial })).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - DT_STRING values go in string_val; tensor_content is set; input name: x',
    ]);
  });

  it("refuses values in a field that is not the dtype's own", () => {
    expect(
      message({ dtype: TfDataType.DT_FLOAT, tensorShape: shape([2]), intVal: [1, 2] }),
    ).toEqual([
      'INVALID_ARGUMENT',
      'Invalid argument - DT_FLOAT values go in float_val; int_val is set; input name: x',
    ]);
  });

  it('refuses an unknown dimension with INVALID_SHAPE', () => {
    expect(message({ dtype: TfDataType.DT_FLOAT, tensorShape: shape([1, -1]) })).toEqual([
      'INVALID_SHAPE',
      'Invalid input shape - Dimensions must be non-negative; Actual: (1,-1); input name: x',
    ]);
  });
});
