import type { TensorSpec } from '@ovms/core';
import { describe, expect, it } from 'vitest';
import { fromTensorMap, toTensorMap } from './infer-tensors.js';
import type { InferInputs } from './infer-tensors.js';

const fixed: TensorSpec = { name: 'x', dtype: 'FP32', shape: [1, 3] };
const dynamic: TensorSpec = { name: 'x', dtype: 'FP32', shape: [-1, 3] };
const half: TensorSpec = { name: 'x', dtype: 'FP16', shape: [2] };
const flag: TensorSpec = { name: 'x', dtype: 'BOOL', shape: [2] };

function one(inputs: InferInputs, spec?: TensorSpec) {
  return toTensorMap(inputs, spec === undefined ? [] : [spec]).get('x');
}

function bytes(values: ArrayLike<number>): number[] {
  return [...new Uint8Array(new Float32Array(values).buffer)];
}

describe('toTensorMap', () => {
  it("gives a bare typed array the model input's fixed shape when the element count fits", () => {
    const tensor = one({ x: new Float32Array([1, 2, 3]) }, fixed);
    expect(tensor?.dtype).toBe('FP32');
    expect(tensor?.shape).toEqual([1, 3]);
    expect([...(tensor?.data as Uint8Array)]).toEqual(bytes([1, 2, 3]));
  });

  it('gives a bare typed array a one-dimensional shape otherwise', () => {
    expect(one({ x: new Float32Array([1, 2, 3]) }, dynamic)?.shape).toEqual([3]);
    expect(one({ x: new Float32Array([1, 2]) }, fixed)?.shape).toEqual([2]);
    expect(one({ x: new Int32Array([1, 2]) })).toMatchObject({ dtype: 'INT32', shape: [2] });
  });

  it('views the caller’s buffer without copying it', () => {
    const array = new Float32Array([0, 1, 2, 3]).subarray(1);
    const tensor = one({ x: { data: array, shape: [1, 3] } }, dynamic);
    expect((tensor?.data as Uint8Array).buffer).toBe(array.buffer);
    expect((tensor?.data as Uint8Array).byteOffset).toBe(4);
  });

  it('takes the model dtype an array holds: Uint16Array as FP16, Uint8Array as BOOL', () => {
    expect(one({ x: new Uint16Array([0x3c00, 0]) }, half)?.dtype).toBe('FP16');
    expect(one({ x: new Uint8Array([1, 0]) }, flag)?.dtype).toBe('BOOL');
    expect(one({ x: new Uint16Array([1, 2]) })?.dtype).toBe('UINT16');
  });

  it("keeps the array's own dtype when the model wants another, for the servable to refuse", () => {
    expect(one({ x: new Float64Array([1, 2, 3]) }, fixed)).toMatchObject({
      dtype: 'FP64',
      shape: [1, 3],
    });
  });

  it('takes raw bytes of any dtype in a Uint8Array when the dtype is given', () => {
    const raw = new Uint8Array(new Float32Array([1, 2]).buffer);
    expect(one({ x: { data: raw, shape: [2], dtype: 'FP32' } })).toMatchObject({
      dtype: 'FP32',
      shape: [2],
    });
    expect(one({ x: { data: new Uint8Array(6), shape: [3], dtype: 'FP16' } })?.dtype).toBe('FP16');
  });

  it('encodes strings as UTF-8 BYTES elements and keeps byte strings as they are', () => {
    const tensor = one({ x: ['é', 'ab'] });
    expect(tensor?.dtype).toBe('BYTES');
    expect(tensor?.shape).toEqual([2]);
    expect((tensor?.data as Uint8Array[]).map((element) => [...element])).toEqual([
      [0xc3, 0xa9],
      [0x61, 0x62],
    ]);
    const given = new Uint8Array([1, 2, 3]);
    const shaped = one({ x: { data: [given], shape: [1, 1], dtype: 'BYTES' } });
    expect(shaped).toEqual({ dtype: 'BYTES', shape: [1, 1], data: [given] });
  });

  it.each([
    [
      'a number',
      { x: 3 as unknown as Float32Array },
      'Invalid argument - input x: expected a typed array, an array of strings or { data, shape, dtype? }; got number',
    ],
    [
      'an object without shape',
      { x: { data: new Float32Array(2) } as never },
      'Invalid argument - input x: expected a typed array, an array of strings or { data, shape, dtype? }; got an object',
    ],
    [
      'a typed array of another dtype',
      { x: { data: new Float64Array(2), shape: [2], dtype: 'FP32' } as const },
      'Invalid argument - input x: FP32 data must be a Float32Array or its bytes in a Uint8Array; got Float64Array',
    ],
    [
      'a typed array as BYTES',
      { x: { data: new Uint8Array(2), shape: [2], dtype: 'BYTES' } as const },
      'Invalid argument - input x: BYTES data must be an array of strings or Uint8Arrays; got a typed array',
    ],
    [
      'strings as a numeric dtype',
      { x: { data: ['1'], shape: [1], dtype: 'FP32' } as const },
      'Invalid argument - input x: FP32 data must be a typed array; got an array',
    ],
    [
      'a BYTES element that is neither string nor bytes',
      { x: ['a', 7] },
      'Invalid argument - input x: BYTES element 1 must be a string or a Uint8Array; got number',
    ],
  ] as [string, InferInputs, string][])(
    'refuses %s with INVALID_ARGUMENT naming the input',
    (_, inputs, message) => {
      expect(() => toTensorMap(inputs, [fixed])).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message }),
      );
    },
  );
});

describe('fromTensorMap', () => {
  it('answers numeric outputs as typed views and BYTES as byte strings', () => {
    const data = new Uint8Array(new Float32Array([1.5, 2.5]).buffer);
    const word = new Uint8Array([104, 105]);
    const outputs = fromTensorMap(
      new Map([
        ['y', { dtype: 'FP32', shape: [1, 2], data }],
        ['s', { dtype: 'BYTES', shape: [1], data: [word] }],
      ]),
    );
    expect(outputs['y']?.data).toEqual(new Float32Array([1.5, 2.5]));
    expect((outputs['y']?.data as Float32Array).buffer).toBe(data.buffer);
    expect(outputs['s']).toEqual({ dtype: 'BYTES', shape: [1], data: [word] });
  });
});
