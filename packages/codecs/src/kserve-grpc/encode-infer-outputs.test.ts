import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_TYPES, typedView } from '@ovms/core';
import type { DataType, Tensor } from '@ovms/core';
import { ModelInferRequest, ModelInferResponse } from '@ovms/proto';
import { decodeInferInputs } from './decode-infer-inputs.js';
import { encodeInferOutputs } from './encode-infer-outputs.js';

const ALL = Object.keys(DATA_TYPES) as DataType[];

/** Any tensor of `dtype`: numeric data as arbitrary bytes, so every bit pattern is covered. */
function tensorArb(dtype: DataType): fc.Arbitrary<Tensor> {
  return fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (dtype === 'BYTES') {
      return fc
        .array(fc.uint8Array({ maxLength: 6 }), { minLength: n, maxLength: n })
        .map((data): Tensor => ({ dtype, shape, data }));
    }
    const size = n * DATA_TYPES[dtype].byteSize;
    return fc
      .uint8Array({ minLength: size, maxLength: size })
      .map((data): Tensor => ({ dtype, shape, data }));
  });
}

/** What a client sends back: the encoded outputs as a raw ModelInferRequest, on the wire. */
function requestBytes(tensors: Map<string, Tensor>): Uint8Array {
  const { outputs, rawOutputContents } = encodeInferOutputs(tensors);
  const inputs = outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape }));
  const request = ModelInferRequest.fromPartial({ inputs, rawInputContents: rawOutputContents });
  return ModelInferRequest.encode(request).finish();
}

describe('encodeInferOutputs', () => {
  it('answers in raw_output_contents, numeric data being the tensor bytes themselves', () => {
    const data = new Uint8Array(new Int32Array([7, -1]).buffer);
    const strings = [new Uint8Array([97, 98]), new Uint8Array(0)];
    const encoded = encodeInferOutputs(
      new Map<string, Tensor>([
        ['n', { dtype: 'INT32', shape: [1, 2], data }],
        ['s', { dtype: 'BYTES', shape: [2], data: strings }],
      ]),
    );
    expect(encoded.outputs).toEqual([
      { name: 'n', datatype: 'INT32', shape: [1n, 2n], parameters: {}, contents: undefined },
      { name: 's', datatype: 'BYTES', shape: [2n], parameters: {}, contents: undefined },
    ]);
    expect(encoded.rawOutputContents[0]).toBe(data);
    expect([...(encoded.rawOutputContents[1] ?? [])]).toEqual([2, 0, 0, 0, 97, 98, 0, 0, 0, 0]);
  });

  it('survives the ModelInferResponse wire format', () => {
    const data = new Uint8Array(new Uint16Array([0x3c00, 0x7e00]).buffer);
    const encoded = encodeInferOutputs(new Map([['h', { dtype: 'FP16', shape: [2], data }]]));
    const response = ModelInferResponse.decode(
      ModelInferResponse.encode(ModelInferResponse.fromPartial(encoded)).finish(),
    );
    expect(response.outputs[0]).toMatchObject({ name: 'h', datatype: 'FP16', shape: [2n] });
    expect(response.outputs[0]?.contents).toBeUndefined();
    expect([...(response.rawOutputContents[0] ?? [])]).toEqual([...data]);
  });
});

describe('raw_input_contents round trip', () => {
  it.each(ALL)('decodes raw %s inputs to the same tensors', (dtype) => {
    fc.assert(
      fc.property(tensorArb(dtype), tensorArb(dtype), (a, b) => {
        const bytes = requestBytes(
          new Map([
            ['a', a],
            ['b', b],
          ]),
        );
        const decoded = decodeInferInputs(ModelInferRequest.decode(bytes));
        expect([...decoded.keys()]).toEqual(['a', 'b']);
        for (const [name, tensor] of [
          ['a', a],
          ['b', b],
        ] as const) {
          const got = decoded.get(name);
          expect(got?.shape).toEqual(tensor.shape);
          if (got?.dtype === 'BYTES') {
            expect(got.data).toEqual(tensor.data);
            for (const element of got.data) expect(element.buffer).toBe(bytes.buffer);
          } else if (got) {
            expect([...got.data]).toEqual([...(tensor.data as Uint8Array)]);
            expect(got.data.buffer).toBe(bytes.buffer);
          } else throw new Error(`input ${name} lost`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('decodes a 1x3x224x224 FP32 raw input without copying it', () => {
    const values = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i));
    const image: Tensor = {
      dtype: 'FP32',
      shape: [1, 3, 224, 224],
      data: new Uint8Array(values.buffer),
    };
    const bytes = requestBytes(new Map([['image', image]]));
    const decoded = decodeInferInputs(ModelInferRequest.decode(bytes)).get('image');
    if (decoded?.dtype !== 'FP32') throw new Error('FP32 expected');
    expect(decoded.data.buffer).toBe(bytes.buffer);
    expect(typedView('FP32', decoded.data)).toEqual(values);
  });

  it('keeps int64 / uint64 beyond 2^53 and BF16 patterns exact', () => {
    const int64 = new BigInt64Array([2n ** 63n - 1n, -(2n ** 53n) - 1n]);
    const uint64 = new BigUint64Array([2n ** 64n - 1n, 2n ** 53n + 1n]);
    const bf16 = new Uint16Array([0x7fc0, 0xff80]);
    const bytes = requestBytes(
      new Map<string, Tensor>([
        ['i', { dtype: 'INT64', shape: [2], data: new Uint8Array(int64.buffer) }],
        ['u', { dtype: 'UINT64', shape: [2], data: new Uint8Array(uint64.buffer) }],
        ['b', { dtype: 'BF16', shape: [2], data: new Uint8Array(bf16.buffer) }],
      ]),
    );
    const decoded = decodeInferInputs(ModelInferRequest.decode(bytes));
    const data = (name: string) => {
      const t = decoded.get(name);
      if (t === undefined || t.dtype === 'BYTES') throw new Error('numeric expected');
      return t.data;
    };
    expect(typedView('INT64', data('i'))).toEqual(int64);
    expect(typedView('UINT64', data('u'))).toEqual(uint64);
    expect(typedView('BF16', data('b'))).toEqual(bf16);
  });
});
