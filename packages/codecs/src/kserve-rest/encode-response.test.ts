import { describe, expect, it } from 'vitest';
import {
  StatusCode,
  bytesOf,
  createBytesTensor,
  createNumericTensor,
  type Tensor,
} from '@ovms/core';
import { thrown } from '../../test/support/tensor-arbitrary.js';
import { encodeKServeInferResponse } from './encode-response.js';

const floats = createNumericTensor('FP32', [2, 2], bytesOf(new Float32Array([1, 2.5, NaN, -0])));
const words = createBytesTensor(
  [2],
  [new TextEncoder().encode('ab'), new TextEncoder().encode('c')],
);
const outputs = new Map<string, Tensor>([
  ['y', floats],
  ['w', words],
]);
const text = (body: Uint8Array) => new TextDecoder().decode(body);

describe('encodeKServeInferResponse', () => {
  it('writes JSON outputs with flat data and echoes the id', () => {
    const response = encodeKServeInferResponse({
      modelName: 'm',
      modelVersion: '1',
      id: '42',
      outputs,
    });
    expect(response.contentType).toBe('application/json');
    expect(response.inferenceHeaderContentLength).toBeUndefined();
    expect(text(response.body)).toBe(
      '{"model_name":"m","model_version":"1","id":"42","outputs":[' +
        '{"name":"y","datatype":"FP32","shape":[2,2],"data":[1,2.5,NaN,-0]},' +
        '{"name":"w","datatype":"BYTES","shape":[2],"data":["ab","c"]}]}',
    );
  });

  it('appends binary outputs after the JSON, per-output settings overriding the default', () => {
    const response = encodeKServeInferResponse({
      modelName: 'm',
      outputs,
      requested: [{ name: 'w' }, { name: 'y', binaryData: false }],
      binaryDataOutput: true,
    });
    const json =
      '{"model_name":"m","outputs":[' +
      '{"name":"w","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":11}},' +
      '{"name":"y","datatype":"FP32","shape":[2,2],"data":[1,2.5,NaN,-0]}]}';
    expect(response.contentType).toBe('application/octet-stream');
    expect(response.inferenceHeaderContentLength).toBe(json.length);
    expect(text(response.body.subarray(0, json.length))).toBe(json);
    expect([...response.body.subarray(json.length)]).toEqual([2, 0, 0, 0, 97, 98, 1, 0, 0, 0, 99]);
  });

  it('copies numeric binary outputs byte for byte', () => {
    const response = encodeKServeInferResponse({
      modelName: 'm',
      outputs: new Map([['y', floats]]),
      binaryDataOutput: true,
    });
    const header = response.inferenceHeaderContentLength ?? 0;
    expect([...response.body.subarray(header)]).toEqual([...floats.data]);
  });

  it('refuses a requested output the model did not produce', () => {
    const error = thrown(() =>
      encodeKServeInferResponse({ modelName: 'm', outputs, requested: [{ name: 'z' }] }),
    );
    expect(error.code).toBe(StatusCode.INVALID_MISSING_OUTPUT);
    expect(error.message).toBe('Missing output with specific name - output z');
  });
});
