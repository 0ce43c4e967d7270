import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { binaryBody, floatBytes } from './wire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const inferError = async (
  body: NonNullable<RequestInit['body']>,
  headers: Record<string, string> = {},
  model = 'add-f32.v1',
) =>
  errorOf(await fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body, headers }));
const tensor = (name: string, data: number[], shape = [1, data.length], datatype = 'FP32') => ({
  name,
  shape,
  datatype,
  data,
});
const request = (...inputs: object[]) => JSON.stringify({ inputs });
const a = tensor('a', [1, 2, 3, 4]);

describe('KServe v2 REST infer errors', () => {
  it('refuses unknown models and versions, and versions not loaded', async () => {
    const body = request(a, tensor('b', [1, 2, 3, 4]));
    expect(await inferError(body, {}, 'nope')).toEqual([
      404,
      'Model with requested name is not found',
    ]);
    expect(await inferError(body, {}, 'add-f32.v1/versions/5')).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    expect(await inferError(body, {}, 'add-f32.v1/versions/3')).toEqual([
      503,
      'Model with requested version is not loaded yet',
    ]);
  });

  it('refuses a wrong input name, dtype, shape and value count', async () => {
    expect(await inferError(request(a, tensor('c', [1, 2, 3, 4])))).toEqual([
      400,
      'Missing input with specific name - Required input: b',
    ]);
    expect(await inferError(request(a))).toEqual([
      400,
      'Invalid number of inputs - Expected: 2; Actual: 1',
    ]);
    expect(await inferError(request(a, tensor('b', [1, 2, 3, 4], [1, 4], 'INT32')))).toEqual([
      400,
      'Invalid input precision - Expected: FP32; Actual: INT32; input name: b',
    ]);
    expect(await inferError(request(a, tensor('b', [1, 2, 3, 4], [2, 2])))).toEqual([
      400,
      'Invalid input shape - Expected: (-1,4); Actual: (2,2); input name: b',
    ]);
    expect(await inferError(request(a, tensor('b', [1, 2, 3], [1, 4])))).toEqual([
      400,
      'Invalid number of values in tensor proto container - input b: expected 4 values for shape (1,4); actual 3',
    ]);
    expect(await inferError(request(a, tensor('b', [1, 2, 3, 4], [1, 4], 'FLOAT')))).toEqual([
      400,
      'Invalid input precision - unknown datatype FLOAT of input b',
    ]);
  });

  it('refuses binary data of the wrong size and bad framing', async () => {
    const binary = (size: number, part: Uint8Array) =>
      binaryBody(
        {
          inputs: [
            a,
            { name: 'b', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: size } },
          ],
        },
        part,
      );
    const [short, shortLength] = binary(12, floatBytes([1, 2, 3]));
    expect(
      await inferError(short, { 'inference-header-content-length': String(shortLength) }),
    ).toEqual([
      400,
      'Invalid content size of tensor proto - input b: expected 16 bytes for FP32 (1,4); actual 12',
    ]);
    const [over, overLength] = binary(32, floatBytes([1, 2, 3, 4]));
    expect(
      await inferError(over, { 'inference-header-content-length': String(overLength) }),
    ).toEqual([
      400,
      'Received buffer size is smaller than binary_data_size parameter indicates - input b has binary_data_size 32; 16 bytes remain',
    ]);
    expect(await inferError(request(a), { 'inference-header-content-length': 'abc' })).toEqual([
      400,
      "Inference-Header-Content-Length header is invalid - expected an integer from 0 to the body length 74; actual 'abc'",
    ]);
    expect(await inferError(floatBytes([1]), { 'inference-header-content-length': '0' })).toEqual([
      400,
      'Invalid number of inputs - a raw binary request (Inference-Header-Content-Length: 0) needs a model with exactly one input',
    ]);
  });

  it('refuses malformed JSON, a body that is not an object and a missing output', async () => {
    expect(await inferError('{"inputs" []}')).toEqual([
      400,
      "Request body is not a valid JSON - unexpected '['; expected ':' at byte 10",
    ]);
    expect(await inferError('"inputs"')).toEqual([
      400,
      'Invalid JSON structure. Request body is not an object',
    ]);
    expect(await inferError('{"id": "x"}')).toEqual([
      400,
      'Invalid inference request - missing "inputs"',
    ]);
    const body = JSON.stringify({
      inputs: [a, tensor('b', [1, 2, 3, 4])],
      outputs: [{ name: 'nope' }],
    });
    expect(await inferError(body)).toEqual([
      400,
      'Missing output with specific name - Required output: nope',
    ]);
  });

  it('reports an engine failure as an internal inference error', async () => {
    expect(await inferError(request(tensor('x', [1], [1])), {}, 'broken')).toEqual([
      500,
      'Internal inference error',
    ]);
  });

  it('answers wrong methods with 405 and unknown model paths with 404', async () => {
    expect(await errorOf(await fetch(`${server.url}/v2/models/add-f32.v1/infer`))).toEqual([
      405,
      'Unsupported method - GET /v2/models/add-f32.v1/infer; use POST',
    ]);
    const post = await fetch(`${server.url}/v2/models/add-f32.v1/ready`, { method: 'POST' });
    expect(await errorOf(post)).toEqual([
      405,
      'Unsupported method - POST /v2/models/add-f32.v1/ready; use GET',
    ]);
    expect(await errorOf(await fetch(`${server.url}/v2/models/a/b/c`))).toEqual([
      404,
      'Requested REST resource not found - GET /v2/models/a/b/c',
    ]);
  });
});
