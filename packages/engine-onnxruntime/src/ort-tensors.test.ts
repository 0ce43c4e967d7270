import { describe, expect, it } from 'vitest';
import { createBytesTensor, createNumericTensor } from '@ovms/core';
import { fromWire, toWire } from './ort-tensors.js';

describe('ORT tensor bridging', () => {
  it('copies a numeric input once into its own buffer, listed for transfer', () => {
    const pool = new ArrayBuffer(64);
    const data = new Uint8Array(pool, 16, 32);
    data.set(new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer));
    const { tensors, transfer } = toWire(
      new Map([['x', createNumericTensor('FP32', [2, 4], data)]]),
    );
    const fed = tensors[0]?.data as Float32Array;
    expect(fed).toBeInstanceOf(Float32Array);
    expect(fed.buffer).not.toBe(pool);
    expect(fed.byteOffset).toBe(0);
    expect(fed.buffer.byteLength).toBe(32);
    expect([...fed]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(transfer).toEqual([fed.buffer]);
    expect(tensors[0]).toMatchObject({ name: 'x', type: 'float32', dims: [2, 4] });
  });

  it('gives ORT its typed array class per type (int64 → BigInt64Array, bool → Uint8Array)', () => {
    const { tensors } = toWire(
      new Map([
        ['i', createNumericTensor('INT64', [1], new Uint8Array(8))],
        ['b', createNumericTensor('BOOL', [2], new Uint8Array(2))],
      ]),
    );
    expect(tensors.map((tensor) => [tensor.type, tensor.data.constructor])).toEqual([
      ['int64', BigInt64Array],
      ['bool', Uint8Array],
    ]);
  });

  it('turns BYTES into ORT strings and back, with nothing to transfer', () => {
    const text = new TextEncoder();
    const { tensors, transfer } = toWire(
      new Map([['s', createBytesTensor([2], [text.encode('a'), text.encode('bé')])]]),
    );
    expect(tensors[0]?.data).toEqual(['a', 'bé']);
    expect(transfer).toEqual([]);
    const outputs = fromWire(
      [{ name: 's', type: 'string', dims: [1], data: ['hi'] }],
      [{ name: 's', dtype: 'BYTES', shape: [-1] }],
    );
    expect(outputs.get('s')).toEqual({ dtype: 'BYTES', shape: [1], data: [text.encode('hi')] });
  });

  it('returns outputs as views of the transferred buffers, in model order', () => {
    const values = new Int32Array([1, 2, 3]);
    const outputs = fromWire(
      [
        { name: 'z', type: 'float32', dims: [0], data: new Float32Array(0) },
        { name: 'y', type: 'int32', dims: [3], data: values },
      ],
      [
        { name: 'y', dtype: 'INT32', shape: [-1] },
        { name: 'z', dtype: 'FP32', shape: [-1] },
      ],
    );
    expect([...outputs.keys()]).toEqual(['y', 'z']);
    const y = outputs.get('y');
    expect(y?.dtype).toBe('INT32');
    expect((y?.data as Uint8Array).buffer).toBe(values.buffer);
  });

  it('reports an output ORT did not return as INTERNAL_INFERENCE_ERROR', () => {
    expect(() => fromWire([], [{ name: 'y', dtype: 'FP32', shape: [1] }])).toThrow(
      'Internal inference error - onnxruntime returned no tensor for output y',
    );
  });

  it('reports an output element type ovms-ts does not serve', () => {
    const results = [{ name: 'y', type: 'complex64', dims: [1], data: new Float32Array(2) }];
    expect(() => fromWire(results, [{ name: 'y', dtype: 'FP32', shape: [1] }])).toThrow(
      'output y has element type complex64, which ovms-ts does not serve',
    );
  });
});
