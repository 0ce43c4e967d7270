import { DATA_TYPES, ServingError } from '@ovms/core';
import type { NumericDataType, Tensor } from '@ovms/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTensor, stackTensors } from './shards.js';

const numericTypes = (Object.keys(DATA_TYPES) as (keyof typeof DATA_TYPES)[]).filter(
  (dtype): dtype is NumericDataType => dtype !== 'BYTES',
);

const shapes = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 });

const numericTensor = fc
  .record({ dtype: fc.constantFrom(...numericTypes), shape: shapes, seed: fc.integer() })
  .map(({ dtype, shape, seed }): Tensor => {
    const count = shape.reduce((a, b) => a * b, 1);
    const data = new Uint8Array(count * DATA_TYPES[dtype].byteSize);
    for (let i = 0; i < data.length; i++) data[i] = (seed + i * 31) & 0xff;
    return { dtype, shape, data };
  });

const bytesTensor = shapes.map((shape): Tensor => {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: count }, (_, i) => new TextEncoder().encode(`e${i}`));
  return { dtype: 'BYTES', shape, data };
});

describe('splitTensor / stackTensors', () => {
  it('round-trips any tensor, gathering views of one buffer without a copy', () => {
    fc.assert(
      fc.property(fc.oneof(numericTensor, bytesTensor), (tensor) => {
        const shards = splitTensor(tensor);
        expect(shards).toHaveLength(tensor.shape[0] ?? 0);
        const back = stackTensors(shards, { dtype: tensor.dtype, shape: tensor.shape.slice(1) });
        expect(back.dtype).toBe(tensor.dtype);
        expect(back.shape).toEqual(tensor.shape);
        expect([...(back.data as Iterable<unknown>)]).toEqual([
          ...(tensor.data as Iterable<unknown>),
        ]);
        if (tensor.dtype !== 'BYTES' && shards.length > 0) {
          const first = shards[0];
          expect(first?.dtype !== 'BYTES' && first?.data.buffer).toBe(tensor.data.buffer);
          expect(back.dtype !== 'BYTES' && back.data.buffer).toBe(tensor.data.buffer);
        }
      }),
    );
  });

  it('stacks shards from separate buffers by copying them in order', () => {
    fc.assert(
      fc.property(numericTensor, (tensor) => {
        const copies = splitTensor(tensor).map((shard): Tensor =>
          shard.dtype === 'BYTES' ? shard : { ...shard, data: shard.data.slice() },
        );
        const back = stackTensors(copies, { dtype: tensor.dtype, shape: tensor.shape.slice(1) });
        expect(back.shape).toEqual(tensor.shape);
        expect(back.data).toEqual(tensor.data);
      }),
    );
  });

  it('stacks zero shards into a first dimension of 0 shaped by the template', () => {
    expect(stackTensors([], { dtype: 'FP32', shape: [1, -1, 4] })).toEqual({
      dtype: 'FP32',
      shape: [0, 1, 0, 4],
      data: new Uint8Array(0),
    });
    expect(stackTensors([], { dtype: 'BYTES', shape: [2] })).toEqual({
      dtype: 'BYTES',
      shape: [0, 2],
      data: [],
    });
  });

  it('refuses shards of different shapes', () => {
    const a: Tensor = { dtype: 'FP32', shape: [2], data: new Uint8Array(8) };
    const b: Tensor = { dtype: 'FP32', shape: [3], data: new Uint8Array(12) };
    const error = (() => {
      try {
        stackTensors([a, b], a);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).message).toBe(
      'Gathered tensor shards dimensions are different - Expected: FP32 (2); Actual: FP32 (3)',
    );
  });
});
