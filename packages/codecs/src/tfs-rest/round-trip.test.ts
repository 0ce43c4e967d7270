import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  createBytesTensor,
  createNumericTensor,
  type DataType,
  type Tensor,
  type TensorSpec,
} from '@ovms/core';
import {
  ALL_DTYPES,
  expectSameTensor,
  tensorArbitrary,
} from '../../test/support/tensor-arbitrary.js';
import { decodeTfsPredictRequest } from './decode-request.js';
import { encodeTfsPredictResponse } from './encode-response.js';

const text = (body: Uint8Array): string => new TextDecoder().decode(body);
const spec = (name: string, dtype: DataType): TensorSpec => ({ name, dtype, shape: [] });

// Dimensions of at least 1: JSON `[[], []]` cannot say how long the missing rows would be.
describe.each(ALL_DTYPES)('TF Serving REST round trip of %s', (dtype) => {
  it('column format, single and named outputs', () => {
    fc.assert(
      fc.property(
        tensorArbitrary(dtype, { minDim: 1 }),
        tensorArbitrary(dtype, { minDim: 1 }),
        (a, b) => {
          const single = encodeTfsPredictResponse(new Map([['out', a]]), 'column');
          const back = decodeTfsPredictRequest(text(single).replace('"outputs"', '"inputs"'), [
            spec('out', dtype),
          ]);
          expect(back.format).toBe('column');
          expectSameTensor(back.inputs.get('out'), a);
          const named = encodeTfsPredictResponse(
            new Map([
              ['a', a],
              ['b', b],
            ]),
            'column',
          );
          const both = decodeTfsPredictRequest(text(named).replace('"outputs"', '"inputs"'), [
            spec('a', dtype),
            spec('b', dtype),
          ]);
          expectSameTensor(both.inputs.get('a'), a);
          expectSameTensor(both.inputs.get('b'), b);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('row format, single and several outputs sharing the batch', () => {
    const batched = fc
      .integer({ min: 1, max: 3 })
      .chain((batch) =>
        fc.tuple(
          tensorArbitrary(dtype, { minDim: 1, minRank: 1, batch }),
          tensorArbitrary(dtype, { minDim: 1, minRank: 1, batch }),
        ),
      );
    fc.assert(
      fc.property(batched, ([a, b]) => {
        const single = encodeTfsPredictResponse(new Map([['out', a]]), 'row');
        const back = decodeTfsPredictRequest(text(single).replace('"predictions"', '"instances"'), [
          spec('out', dtype),
        ]);
        expect(back.format).toBe('row');
        expectSameTensor(back.inputs.get('out'), a);
        const named = encodeTfsPredictResponse(
          new Map([
            ['a', a],
            ['b', b],
          ]),
          'row',
        );
        const both = decodeTfsPredictRequest(text(named).replace('"predictions"', '"instances"'), [
          spec('a', dtype),
          spec('b', dtype),
        ]);
        expectSameTensor(both.inputs.get('a'), a);
        expectSameTensor(both.inputs.get('b'), b);
      }),
      { numRuns: 40 },
    );
  });
});

describe('encodeTfsPredictResponse', () => {
  const floats = createNumericTensor(
    'FP32',
    [1, 4],
    bytesOf(new Float32Array([NaN, Infinity, -Infinity, 0.1])),
  );
  const int64 = createNumericTensor(
    'INT64',
    [2],
    bytesOf(new BigInt64Array([2n ** 63n - 1n, -(2n ** 53n) - 1n])),
  );

  it('writes NaN and ±Infinity as tokens and 64-bit integers exactly', () => {
    expect(text(encodeTfsPredictResponse(new Map([['y', floats]]), 'row'))).toBe(
      '{"predictions":[[NaN,Infinity,-Infinity,0.1]]}',
    );
    expect(text(encodeTfsPredictResponse(new Map([['y', int64]]), 'column'))).toBe(
      '{"outputs":[9223372036854775807,-9007199254740993]}',
    );
  });

  it('writes *_bytes outputs as b64, other BYTES as strings unless they are not UTF-8', () => {
    const hello = new TextEncoder().encode('hello');
    const outputs = new Map<string, Tensor>([
      ['image_bytes', createBytesTensor([1], [hello])],
      ['label', createBytesTensor([1], [hello])],
      ['raw', createBytesTensor([1], [new Uint8Array([0xff])])],
    ]);
    expect(text(encodeTfsPredictResponse(outputs, 'row'))).toBe(
      '{"predictions":[{"image_bytes":{"b64":"aGVsbG8="},"label":"hello","raw":{"b64":"/w=="}}]}',
    );
  });

  it('writes FP16 and BF16 as numbers', () => {
    const half = createNumericTensor('FP16', [2], bytesOf(new Uint16Array([0x3c00, 0x3555])));
    const bfloat = createNumericTensor('BF16', [1], bytesOf(new Uint16Array([0x4049])));
    expect(
      text(
        encodeTfsPredictResponse(
          new Map([
            ['h', half],
            ['b', bfloat],
          ]),
          'column',
        ),
      ),
    ).toBe('{"outputs":{"h":[1,0.3333],"b":[3.14]}}');
  });

  it('refuses the row format for scalars and for outputs of different batch', () => {
    const scalar = createNumericTensor('FP32', [], bytesOf(new Float32Array([1])));
    expect(() => encodeTfsPredictResponse(new Map([['s', scalar]]), 'row')).toThrow(
      'Internal server error - output s is a scalar; the row format needs a batch dimension',
    );
    expect(() =>
      encodeTfsPredictResponse(
        new Map([
          ['a', floats],
          ['b', int64],
        ]),
        'row',
      ),
    ).toThrow(
      'Internal server error - outputs differ in batch size for the row format: b has shape (2), others batch 1',
    );
  });
});
