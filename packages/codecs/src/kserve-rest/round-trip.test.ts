import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf, createNumericTensor, type Tensor } from '@ovms/core';
import {
  ALL_DTYPES,
  expectSameTensor,
  tensorArbitrary,
} from '../../test/support/tensor-arbitrary.js';
import { decodeKServeInferRequest } from './decode-request.js';
import { encodeKServeInferResponse } from './encode-response.js';

const utf8 = new TextEncoder();

/**
 * A response's `outputs` entries have the request `inputs` schema (inference_rest.md), so an
 * encoded response turned into a request must decode to the same tensors.
 */
function asRequest(body: Uint8Array, headerLength: number | undefined) {
  const jsonEnd = headerLength ?? body.byteLength;
  const json = new TextDecoder()
    .decode(body.subarray(0, jsonEnd))
    .replace('"outputs":[', '"inputs":[');
  const head = utf8.encode(json);
  const request = new Uint8Array(head.byteLength + body.byteLength - jsonEnd);
  request.set(head);
  request.set(body.subarray(jsonEnd), head.byteLength);
  return { request, header: headerLength === undefined ? undefined : String(head.byteLength) };
}

function roundTrip(outputs: Map<string, Tensor>, binary: boolean): Map<string, Tensor> {
  const response = encodeKServeInferResponse({ modelName: 'm', outputs, binaryDataOutput: binary });
  const { request, header } = asRequest(response.body, response.inferenceHeaderContentLength);
  return decodeKServeInferRequest(request, header).inputs;
}

describe.each(ALL_DTYPES)('KServe REST round trip of %s', (dtype) => {
  it('through the binary data extension', () => {
    fc.assert(
      fc.property(tensorArbitrary(dtype), tensorArbitrary(dtype), (a, b) => {
        const back = roundTrip(
          new Map([
            ['a', a],
            ['b', b],
          ]),
          true,
        );
        expectSameTensor(back.get('a'), a);
        expectSameTensor(back.get('b'), b);
      }),
      { numRuns: 40 },
    );
  });

  // FP16 / BF16 cannot be sent as JSON (Triton refuses them too): decode-request.test.ts
  // asserts that error, so only the other dtypes round-trip through JSON.
  if (dtype === 'FP16' || dtype === 'BF16') return;
  it('through JSON', () => {
    fc.assert(
      fc.property(tensorArbitrary(dtype, { utf8Only: true }), (a) => {
        expectSameTensor(roundTrip(new Map([['a', a]]), false).get('a'), a);
      }),
      { numRuns: 40 },
    );
  });
});

describe('KServe binary inputs', () => {
  it('are views of the request body, aligned or not', () => {
    for (const pad of [0, 1]) {
      const values = new Float32Array([1.5, -2, NaN]);
      const json = `{"inputs":[{"name":"x","shape":[3],"datatype":"FP32","parameters":{"binary_data_size":12}}]}${' '.repeat(pad)}`;
      const head = utf8.encode(json);
      const body = new Uint8Array(head.byteLength + 12);
      body.set(head);
      body.set(bytesOf(values), head.byteLength);
      const tensor = decodeKServeInferRequest(body, String(head.byteLength)).inputs.get('x');
      expect(tensor?.data).toBeInstanceOf(Uint8Array);
      const data = tensor?.data as Uint8Array;
      expect(data.buffer).toBe(body.buffer);
      expect(data.byteOffset).toBe(head.byteLength);
    }
  });

  it('keep 64-bit integers exact beyond 2^53, in JSON and binary', () => {
    const big = createNumericTensor(
      'UINT64',
      [2],
      bytesOf(new BigUint64Array([2n ** 64n - 1n, 2n ** 53n + 1n])),
    );
    for (const binary of [false, true]) {
      expectSameTensor(roundTrip(new Map([['u', big]]), binary).get('u'), big);
    }
  });
});
