import { decodeKServeInferRequest } from '@ovms/codecs';
import { describe, expect, it } from 'vitest';
import { imageRequest, jsonTemplate, parseInferResponse, takesImage } from './infer-request.js';

describe('imageRequest', () => {
  it('is a KServe binary request the server decodes into one BYTES element: the image', () => {
    const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const encoded = imageRequest('image', image);
    const decoded = decodeKServeInferRequest(
      encoded.body,
      encoded.headers['inference-header-content-length'],
    );
    const tensor = decoded.inputs.get('image');
    expect(tensor?.dtype).toBe('BYTES');
    expect(tensor?.shape).toEqual([1]);
    expect(tensor?.dtype === 'BYTES' && tensor.data.map((item) => [...item])).toEqual([[...image]]);
    expect(encoded.headers['content-type']).toBe('application/octet-stream');
  });
});

describe('jsonTemplate', () => {
  it('fills every input with zeros at its shape, dynamic dimensions as 1', () => {
    const body = jsonTemplate({
      name: 'add',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [-1, 2] },
        { name: 's', datatype: 'BYTES', shape: [1] },
        { name: 'big', datatype: 'FP32', shape: [1, 224, 224, 3] },
      ],
      outputs: [],
    });
    expect(JSON.parse(body)).toEqual({
      inputs: [
        { name: 'a', shape: [1, 2], datatype: 'FP32', data: [0, 0] },
        { name: 's', shape: [1], datatype: 'BYTES', data: [''] },
        { name: 'big', shape: [1, 224, 224, 3], datatype: 'FP32', data: [] },
      ],
    });
  });
});

describe('takesImage', () => {
  it('is true for BYTES and rank-4 numeric inputs only', () => {
    expect(takesImage({ name: 'x', datatype: 'BYTES', shape: [-1] })).toBe(true);
    expect(takesImage({ name: 'x', datatype: 'FP32', shape: [1, 224, 224, 3] })).toBe(true);
    expect(takesImage({ name: 'x', datatype: 'FP32', shape: [1, 4] })).toBe(false);
  });
});

describe('parseInferResponse', () => {
  const json =
    '{"model_name":"m","outputs":[{"name":"y","datatype":"FP32","shape":[1],"data":[2]}]}';
  it('reads the outputs of a JSON answer', () => {
    expect(parseInferResponse(new TextEncoder().encode(json), undefined)).toEqual([
      { name: 'y', datatype: 'FP32', shape: [1], data: [2] },
    ]);
  });

  it('reads the JSON header of an answer with binary outputs', () => {
    const header = new TextEncoder().encode(json);
    const body = new Uint8Array([...header, 0, 0, 0, 64]);
    expect(parseInferResponse(body, header.byteLength)[0]?.name).toBe('y');
  });
});
