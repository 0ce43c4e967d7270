import { describe, expect, it } from 'vitest';
import { DATA_TYPES, ServingError } from '@ovms/core';
import type { DataType } from '@ovms/core';
import { DataType as TfDataType } from '@ovms/proto';
import { dataTypeOfTfProto, tfDataTypeName, tfDataTypeOf } from './tf-data-type.js';

function thrown(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

describe('TF dtypes', () => {
  it('maps each dtype to the enum TF Serving clients use, and back', () => {
    const all = Object.keys(DATA_TYPES) as DataType[];
    expect(Object.fromEntries(all.map((d) => [d, TfDataType[tfDataTypeOf(d)]]))).toEqual({
      BOOL: 'DT_BOOL',
      UINT8: 'DT_UINT8',
      UINT16: 'DT_UINT16',
      UINT32: 'DT_UINT32',
      UINT64: 'DT_UINT64',
      INT8: 'DT_INT8',
      INT16: 'DT_INT16',
      INT32: 'DT_INT32',
      INT64: 'DT_INT64',
      FP16: 'DT_HALF',
      BF16: 'DT_BFLOAT16',
      FP32: 'DT_FLOAT',
      FP64: 'DT_DOUBLE',
      BYTES: 'DT_STRING',
    });
    for (const dtype of all) expect(dataTypeOfTfProto(tfDataTypeOf(dtype), 'x')).toBe(dtype);
  });

  it('names enum values, and numbers types.proto does not know', () => {
    expect(tfDataTypeName(TfDataType.DT_HALF)).toBe('DT_HALF');
    expect(tfDataTypeName(99)).toBe('99');
  });

  it.each([
    [TfDataType.DT_COMPLEX64, 'DT_COMPLEX64'],
    [TfDataType.DT_COMPLEX128, 'DT_COMPLEX128'],
    [TfDataType.DT_QINT8, 'DT_QINT8'],
    [TfDataType.DT_RESOURCE, 'DT_RESOURCE'],
    [TfDataType.DT_VARIANT, 'DT_VARIANT'],
    [TfDataType.DT_INVALID, 'DT_INVALID'],
    [TfDataType.DT_FLOAT_REF, 'DT_FLOAT_REF'],
    [99, '99'],
  ])('refuses dtype %s with INVALID_PRECISION', (tfEnum, name) => {
    const error = thrown(() => dataTypeOfTfProto(tfEnum, 'in'));
    expect(error.code).toBe('INVALID_PRECISION');
    expect(error.message).toBe(
      `Invalid input precision - Unsupported tensor proto dtype ${name}; input name: in`,
    );
  });
});
