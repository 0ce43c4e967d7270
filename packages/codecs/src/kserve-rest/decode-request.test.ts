import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServingError, StatusCode, bytesOf, type TensorSpec } from '@ovms/core';
import { encodeLengthPrefixedElements } from '../bytes-elements.js';
import { elementsOf, thrown } from '../../test/support/tensor-arbitrary.js';
import { decodeKServeInferRequest } from './decode-request.js';

const utf8 = new TextEncoder();

/** JSON followed by binary parts, with the header value the binary extension requires. */
function framed(json: string, ...parts: Uint8Array[]): [Uint8Array, string] {
  const head = utf8.encode(json);
  const size = parts.reduce((sum, part) => sum + part.byteLength, head.byteLength);
  const body = new Uint8Array(size);
  body.set(head);
  let offset = head.byteLength;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return [body, String(head.byteLength)];
}

describe('decodeKServeInferRequest', () => {
  it('decodes the inference_rest.md example (with a valid BOOL count)', () => {
    const request = decodeKServeInferRequest(
      utf8.encode(`{"id": "42", "inputs": [
        {"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]},
        {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}],
       "outputs": [{"name": "output0"}]}`),
      undefined,
    );
    expect(request.id).toBe('42');
    expect(request.inputs.get('input0')?.shape).toEqual([2, 2]);
    expect(elementsOf(request.inputs.get('input0')!)).toEqual([1, 2, 3, 4]);
    expect(elementsOf(request.inputs.get('input1')!)).toEqual([1, 0, 1]);
    expect(request.outputs).toEqual([{ name: 'output0' }]);
  });

  it('decodes the Triton binary example: JSON then binary inputs in order', () => {
    const [body, header] = framed(
      `{"inputs": [
        {"name": "input0", "shape": [2, 2], "datatype": "UINT32", "parameters": {"binary_data_size": 16}},
        {"name": "input1", "shape": [3], "datatype": "BOOL", "parameters": {"binary_data_size": 3}},
        {"name": "input2", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": 11}}],
       "parameters": {"binary_data_output": true},
       "outputs": [{"name": "output0", "parameters": {"binary_data": false}}, {"name": "output1"}]}`,
      bytesOf(new Uint32Array([1, 2, 3, 4])),
      new Uint8Array([1, 0, 1]),
      encodeLengthPrefixedElements([utf8.encode('ab'), utf8.encode('c')]),
    );
    const request = decodeKServeInferRequest(body, header);
    expect(elementsOf(request.inputs.get('input0')!)).toEqual([1, 2, 3, 4]);
    expect(elementsOf(request.inputs.get('input1')!)).toEqual([1, 0, 1]);
    expect(elementsOf(request.inputs.get('input2')!)).toEqual([[97, 98], [99]]);
    expect(request.binaryDataOutput).toBe(true);
    expect(request.parameters).toEqual({ binary_data_output: true });
    expect(request.outputs).toEqual([
      { name: 'output0', binaryData: false, parameters: { binary_data: false } },
      { name: 'output1' },
    ]);
  });

  it('reads nested data, data before datatype, and BYTES as strings', () => {
    const request = decodeKServeInferRequest(
      utf8.encode(`{"inputs": [
        {"data": [[1.5, 2], [3, 4]], "name": "a", "datatype": "FP64", "shape": [4]},
        {"name": "s", "shape": [1], "datatype": "BYTES", "data": ["hé"]}]}`),
      undefined,
    );
    expect(request.inputs.get('a')?.shape).toEqual([4]);
    expect(elementsOf(request.inputs.get('a')!)).toEqual([1.5, 2, 3, 4]);
    expect(elementsOf(request.inputs.get('s')!)).toEqual([[...utf8.encode('hé')]]);
  });

  it('decodes a raw binary request as the single input with batch 1', () => {
    const spec: TensorSpec = { name: 'img', dtype: 'FP32', shape: [-1, 2, -1] };
    const body = bytesOf(new Float32Array([1, 2, 3, 4, 5, 6]));
    const request = decodeKServeInferRequest(body, '0', { singleInput: spec });
    expect(request.inputs.get('img')?.shape).toEqual([1, 2, 3]);
    expect(request.binaryDataOutput).toBe(true);
    const bytes = decodeKServeInferRequest(utf8.encode('raw'), '0', {
      singleInput: { name: 'b', dtype: 'BYTES', shape: [-1] },
    });
    expect(elementsOf(bytes.inputs.get('b')!)).toEqual([[...utf8.encode('raw')]]);
  });

  it('skips unknown keys of any size, and reads data written before its name and shape', () => {
    const extra = `"note": "${'n'.repeat(100_000)}", "deep": [[{"a": null}]]`;
    const request = decodeKServeInferRequest(
      utf8.encode(
        `{${extra}, "inputs": [{${extra}, "data": [[1], [2]], "shape": [2, 1], "name": "x", "datatype": "INT32"}],` +
          ` "parameters": {"p": "v", "n": -1.5, "b": false}, "outputs": [{${extra}, "name": "y"}]}`,
      ),
      undefined,
    );
    expect(elementsOf(request.inputs.get('x')!)).toEqual([1, 2]);
    expect(request.parameters).toEqual({ p: 'v', n: -1.5, b: false });
    expect(request.outputs).toEqual([{ name: 'y' }]);
  });

  it('refuses binary sizes not matching shape × datatype, and bytes left over', () => {
    const x = (extra: string) =>
      `{"inputs": [{"name": "x", "shape": [2], "datatype": "INT32"${extra}}]}`;
    const [short, shortHeader] = framed(
      x(',"parameters":{"binary_data_size":4}'),
      new Uint8Array(4),
    );
    const size = thrown(() => decodeKServeInferRequest(short, shortHeader));
    expect(size.code).toBe(StatusCode.INVALID_CONTENT_SIZE);
    expect(size.message).toBe(
      'Invalid content size of tensor proto - input x: expected 8 bytes for INT32 (2); actual 4',
    );
    const [extra, extraHeader] = framed(
      x(',"parameters":{"binary_data_size":8}'),
      new Uint8Array(10),
    );
    const left = thrown(() => decodeKServeInferRequest(extra, extraHeader));
    expect(left.code).toBe(StatusCode.REST_INFER_REQUEST_INVALID);
    expect(left.message).toBe('Invalid inference request - 2 bytes follow the last binary input');
  });

  it('refuses a raw body that does not fill the input shape', () => {
    const spec: TensorSpec = { name: 'img', dtype: 'FP32', shape: [1, 3] };
    const error = thrown(() =>
      decodeKServeInferRequest(new Uint8Array(8), '0', { singleInput: spec }),
    );
    expect(error.code).toBe(StatusCode.INVALID_CONTENT_SIZE);
    expect(error.message).toBe(
      'Invalid content size of tensor proto - input img: expected 12 bytes for FP32 (1,3); actual 8',
    );
  });

  it('never throws anything but a ServingError on malformed bodies or headers', () => {
    const pieces = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"inputs"',
      '"name"',
      '"x"',
      '"shape"',
      '"datatype"',
      '"FP32"',
      '"BYTES"',
      '"data"',
      '"parameters"',
      '"binary_data_size"',
      '"outputs"',
      '1',
      '4',
      '-1',
      'true',
    );
    const input = fc.tuple(
      fc.array(pieces, { maxLength: 40 }),
      fc.uint8Array({ maxLength: 16 }),
      fc.option(fc.oneof(fc.nat({ max: 200 }).map(String), fc.string({ maxLength: 4 }))),
    );
    fc.assert(
      fc.property(input, ([parts, tail, header]) => {
        const [body] = framed(parts.join(''), tail);
        try {
          decodeKServeInferRequest(body, header ?? undefined, {
            singleInput: { name: 'x', dtype: 'FP32', shape: [-1, 2] },
          });
        } catch (error) {
          expect(error).toBeInstanceOf(ServingError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
