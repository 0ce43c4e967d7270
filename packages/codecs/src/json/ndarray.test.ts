import { describe, expect, it } from 'vitest';
import { StatusCode, typedView, type DataType, type Tensor } from '@ovms/core';
import { NdArrayReader } from './ndarray.js';
import { JsonReader } from './reader.js';
import { createTensorElements } from './tensor-elements.js';
import { elementsOf, thrown } from '../../test/support/tensor-arbitrary.js';

function read(text: string, dtype: DataType, capacity = 1): Tensor {
  const reader = new JsonReader(text);
  const elements = createTensorElements(dtype, { label: 'input x', capacity, base64Objects: true });
  const array = new NdArrayReader(elements, 'input x');
  array.read(reader);
  reader.finish();
  return elements.toTensor(array.shape());
}

describe('NdArrayReader', () => {
  it('derives the shape of nested, flat, scalar and empty arrays', () => {
    expect(read('[[1, 2, 3], [4, 5, 6]]', 'FP32').shape).toEqual([2, 3]);
    expect(read('[1, 2]', 'FP32').shape).toEqual([2]);
    expect(read('7', 'FP32').shape).toEqual([]);
    expect(read('[]', 'FP32').shape).toEqual([0]);
    expect(read('[[], []]', 'FP32').shape).toEqual([2, 0]);
  });

  it('reads into a typed array of the dtype, growing it as needed', () => {
    const tensor = read('[[1.5, -2], [NaN, Infinity]]', 'FP32');
    if (tensor.dtype === 'BYTES') throw new Error('expected a numeric tensor');
    expect([...typedView('FP32', tensor.data)]).toEqual([1.5, -2, NaN, Infinity]);
    expect(tensor.data.byteLength).toBe(16);
    expect(elementsOf(read('[true, false]', 'BOOL'))).toEqual([1, 0]);
    expect(elementsOf(read('[1.5]', 'FP16'))).toEqual([1.5]);
    expect(elementsOf(read('["ab", {"b64": "aGVsbG8="}]', 'BYTES'))).toEqual([
      [97, 98],
      [...new TextEncoder().encode('hello')],
    ]);
  });

  it('reads 64-bit integers exactly beyond 2^53', () => {
    expect(elementsOf(read('[9007199254740993, -9223372036854775808]', 'INT64'))).toEqual([
      9007199254740993n,
      -9223372036854775808n,
    ]);
    expect(elementsOf(read('[18446744073709551615]', 'UINT64'))).toEqual([18446744073709551615n]);
  });

  const refused: [string, DataType, string][] = [
    ['[[1, 2], [3]]', 'FP32', 'input x: arrays are ragged (not a rectangular ndarray) at byte 9'],
    ['[[1, 2], 3]', 'FP32', 'input x: arrays are ragged (not a rectangular ndarray) at byte 9'],
    ['[1, [2]]', 'FP32', 'input x: arrays are ragged (not a rectangular ndarray) at byte 4'],
    ['[[], 1]', 'FP32', 'input x: arrays are ragged (not a rectangular ndarray) at byte 5'],
    ['["a"]', 'FP32', 'input x: expected a number for FP32; actual string at byte 1'],
    ['[1.5]', 'INT32', 'input x: expected an integer for INT32; actual 1.5 at byte 1'],
    ['[NaN]', 'INT8', 'input x: expected an integer for INT8; actual NaN at byte 1'],
    ['[128]', 'INT8', 'input x: value 128 is out of range for INT8 at byte 1'],
    ['[-1]', 'UINT32', 'input x: value -1 is out of range for UINT32 at byte 1'],
    [
      '[9223372036854775808]',
      'INT64',
      'input x: value 9223372036854775808 is out of range for INT64 at byte 1',
    ],
    ['[1]', 'BOOL', 'input x: expected true or false for BOOL; actual number at byte 1'],
    ['[1]', 'BYTES', 'input x: expected a string or {"b64": …} for BYTES; actual number at byte 1'],
    ['[{"b65": "x"}]', 'BYTES', 'input x: expected {"b64": "<base64 string>"} at byte 1'],
    ['[{"b64": "aGVs", "x": 1}]', 'BYTES', 'input x: {"b64": …} must have no other keys at byte 1'],
  ];
  it.each(refused)('refuses %s for %s as REST_COULD_NOT_PARSE_INPUT', (text, dtype, detail) => {
    const error = thrown(() => read(text, dtype));
    expect(error.code).toBe(StatusCode.REST_COULD_NOT_PARSE_INPUT);
    expect(error.message).toBe(
      `Could not parse input content. Not valid ndarray detected - ${detail}`,
    );
  });

  it('refuses bad base64 as REST_INVALID_BASE64', () => {
    const error = thrown(() => read('[{"b64": "a$=="}]', 'BYTES'));
    expect(error.code).toBe(StatusCode.REST_INVALID_BASE64);
    expect(error.message).toBe('Invalid base64 string - input x at byte 1');
  });
});
