import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_TYPES, typedView } from '@ovms/core';
import type { DataType, NumericDataType, Tensor } from '@ovms/core';
import { DataType as TfDataType, PredictRequest, PredictResponse } from '@ovms/proto';
import { decodeTensorProto } from './decode-tensor-proto.js';
import { encodeTensorProto } from './encode-tensor-proto.js';
import { tensorShapeProto } from './tensor-shape.js';

const ALL = Object.keys(DATA_TYPES) as DataType[];

/** Any tensor of `dtype`: numeric data as arbitrary bytes, so every bit pattern is covered. */
function tensorArb(dtype: DataType): fc.Arbitrary<Tensor> {
  const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
  return shapeArb.chain((shape): fc.Arbitrary<Tensor> => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (dtype === 'BYTES') {
      return fc
        .array(fc.uint8Array({ maxLength: 6 }), { minLength: n, maxLength: n })
        .map((data) => ({ dtype, shape, data }));
    }
    const size = n * DATA_TYPES[dtype].byteSize;
    return fc
      .uint8Array({ minLength: size, maxLength: size })
      .map((data) => ({ dtype, shape, data }));
  });
}

function predictRequestBytes(inputs: Record<string, Tensor>): Uint8Array {
  const request = PredictRequest.fromPartial({ modelSpec: { name: 'm' } });
  for (const [name, tensor] of Object.entries(inputs)) {
    request.inputs[name] = encodeTensorProto(tensor);
  }
  return PredictRequest.encode(request).finish();
}

describe('encodeTensorProto', () => {
  it('puts numeric data in tensor_content as the tensor bytes themselves', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const proto = encodeTensorProto({ dtype: 'FP32', shape: [1, 3], data });
    expect(proto.dtype).toBe(TfDataType.DT_FLOAT);
    expect(proto.tensorShape).toEqual(tensorShapeProto([1, 3]));
    expect(proto.tensorShape?.dim.map((d) => d.size)).toEqual([1n, 3n]);
    expect(proto.tensorContent).toBe(data);
    expect(proto.floatVal).toEqual([]);
  });

  it('puts BYTES elements in string_val', () => {
    const data = [new Uint8Array([104, 105]), new Uint8Array(0)];
    const proto = encodeTensorProto({ dtype: 'BYTES', shape: [2], data });
    expect(proto.dtype).toBe(TfDataType.DT_STRING);
    expect(proto.stringVal).toEqual(data);
    expect(proto.stringVal[0]).toBe(data[0]);
    expect(proto.tensorContent.byteLength).toBe(0);
  });
});

describe('TensorProto wire round trip through PredictRequest', () => {
  it.each(ALL)('decodes an encoded %s tensor to the same tensor', (dtype) => {
    fc.assert(
      fc.property(tensorArb(dtype), (tensor) => {
        const bytes = predictRequestBytes({ x: tensor });
        const proto = PredictRequest.decode(bytes).inputs['x'];
        if (proto === undefined) throw new Error('input x lost');
        const decoded = decodeTensorProto(proto, 'x');
        expect(decoded.dtype).toBe(tensor.dtype);
        expect(decoded.shape).toEqual(tensor.shape);
        if (decoded.dtype === 'BYTES') {
          expect(decoded.data).toEqual(tensor.data);
          for (const element of decoded.data) expect(element.buffer).toBe(bytes.buffer);
        } else {
          expect([...decoded.data]).toEqual([...(tensor.data as Uint8Array)]);
          if (decoded.data.byteLength > 0) expect(decoded.data.buffer).toBe(bytes.buffer);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('decodes a 1x3x224x224 FP32 tensor_content without copying it', () => {
    const values = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => i / 7);
    const tensor: Tensor = {
      dtype: 'FP32',
      shape: [1, 3, 224, 224],
      data: new Uint8Array(values.buffer),
    };
    const bytes = predictRequestBytes({ image: tensor });
    const proto = PredictRequest.decode(bytes).inputs['image'];
    if (proto === undefined) throw new Error('input image lost');
    const decoded = decodeTensorProto(proto, 'image');
    if (decoded.dtype !== 'FP32') throw new Error('FP32 expected');
    expect(decoded.data.buffer).toBe(bytes.buffer);
    expect(typedView('FP32', decoded.data)).toEqual(values);
  });

  it('keeps int64 and uint64 beyond 2^53 exact', () => {
    const int64 = new BigInt64Array([2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n]);
    const uint64 = new BigUint64Array([2n ** 64n - 1n, 2n ** 53n + 1n, 0n]);
    const make = (dtype: NumericDataType, array: BigInt64Array | BigUint64Array): Tensor => ({
      dtype,
      shape: [3],
      data: new Uint8Array(array.buffer),
    });
    const response = PredictResponse.decode(
      PredictResponse.encode({
        modelSpec: undefined,
        outputs: {
          a: encodeTensorProto(make('INT64', int64)),
          b: encodeTensorProto(make('UINT64', uint64)),
        },
      }).finish(),
    );
    const [a, b] = [response.outputs['a'], response.outputs['b']].map((p) => {
      const t = p && decodeTensorProto(p, 'o');
      if (t === undefined || t.dtype === 'BYTES') throw new Error('numeric output expected');
      return t;
    });
    expect(typedView('INT64', a!.data)).toEqual(int64);
    expect(typedView('UINT64', b!.data)).toEqual(uint64);
  });
});
