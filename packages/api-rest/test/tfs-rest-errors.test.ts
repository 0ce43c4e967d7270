import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const send = (path: string, body: string, method = 'POST') =>
  fetch(`${server.url}${path}`, { method, body });
const predictError = async (body: string, path = '/v1/models/add-f32.v1:predict') =>
  errorOf(await send(path, body));

describe('TF Serving REST predict errors', () => {
  it('refuses unknown models and versions', async () => {
    const body = '{"inputs": {"a": [[1,1,1,1]], "b": [[1,1,1,1]]}}';
    expect(await predictError(body, '/v1/models/nope:predict')).toEqual([
      404,
      'Model with requested name is not found',
    ]);
    expect(await predictError(body, '/v1/models/add-f32.v1/versions/7:predict')).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    expect(await predictError(body, '/v1/models/loading:predict')).toEqual([
      503,
      'Model with requested version is not loaded yet',
    ]);
  });

  it('refuses a wrong input name, a missing input and a wrong shape', async () => {
    expect(await predictError('{"instances": [{"a": [1,2,3,4], "c": [1,2,3,4]}]}')).toEqual([
      400,
      "Unexpected input - c; the model's inputs are a, b",
    ]);
    expect(await predictError('{"inputs": {"a": [[1,2,3,4]]}}')).toEqual([
      400,
      'Missing input with specific name - missing input b',
    ]);
    expect(await predictError('{"inputs": {"a": [[1,2,3]], "b": [[1,2,3]]}}')).toEqual([
      400,
      'Invalid input shape - Expected: (-1,4); Actual: (1,3); input name: a',
    ]);
    expect(await predictError('{"inputs": {"a": [1,2,3,4], "b": [1,2,3,4]}}')).toEqual([
      400,
      'Invalid number of shape dimensions - Expected: (-1,4); Actual: (4); input name: a',
    ]);
  });

  it('refuses values of the wrong type for the model input', async () => {
    expect(await predictError('{"inputs": {"a": [["x",2,3,4]], "b": [[1,2,3,4]]}}')).toEqual([
      400,
      'Could not parse input content. Not valid ndarray detected - input a: expected a number for FP32; actual string at byte 19',
    ]);
    expect(
      await predictError(
        '{"inputs": {"a": [[1.5,2,3,4]], "b": [[1,2,3,4]]}}',
        '/v1/models/i64:predict',
      ),
    ).toEqual([
      400,
      'Could not parse input content. Not valid ndarray detected - input a: expected an integer for INT64; actual 1.5 at byte 19',
    ]);
  });

  it('refuses malformed JSON and bodies neither row nor column', async () => {
    expect(await predictError('{"inputs": {"a": [[1,2,3,4]], "b": [[1,2,3,4]]')).toEqual([
      400,
      "Request body is not a valid JSON - unexpected end of input; expected ',' or '}' at byte 46",
    ]);
    expect(await predictError('{"inputs": {"a": [[1,2,3,4]] "b": 1}}')).toEqual([
      400,
      `Request body is not a valid JSON - unexpected '"'; expected ',' or '}' at byte 29`,
    ]);
    expect(await predictError('{"signature_name": "serving_default"}')).toEqual([
      400,
      'Invalid JSON structure. Could not detect row or column format - expected "instances" (row) or "inputs" (column)',
    ]);
    expect(await predictError('[1, 2]')).toEqual([
      400,
      'Invalid JSON structure. Request body is not an object',
    ]);
    expect(await predictError('{"instances": {"a": 1}}')).toEqual([
      400,
      'Invalid JSON structure. Instances field is not an array',
    ]);
    expect(await predictError('')).toEqual([
      400,
      'Request body is not a valid JSON - unexpected end of input; expected a JSON value at byte 0',
    ]);
  });

  it('reports an engine failure as an internal inference error', async () => {
    expect(await predictError('{"inputs": [1, 2]}', '/v1/models/broken:predict')).toEqual([
      500,
      'Internal inference error',
    ]);
  });

  it('refuses classify and regress as OVMS does', async () => {
    expect(await predictError('{"examples": []}', '/v1/models/add-f32.v1:classify')).toEqual([
      404,
      'Requested REST resource not found - the classify API is not supported; use :predict',
    ]);
    expect(
      await predictError('{"examples": []}', '/v1/models/add-f32.v1/versions/1:regress'),
    ).toEqual([
      404,
      'Requested REST resource not found - the regress API is not supported; use :predict',
    ]);
  });

  it('answers a method the path does not serve with 405', async () => {
    expect(await errorOf(await fetch(`${server.url}/v1/models/add-f32.v1:predict`))).toEqual([
      405,
      'Unsupported method - GET /v1/models/add-f32.v1:predict; use POST',
    ]);
    expect(await errorOf(await send('/v1/models/add-f32.v1', '{}'))).toEqual([
      405,
      'Unsupported method - POST /v1/models/add-f32.v1; use GET',
    ]);
    expect(await errorOf(await send('/v1/models/add-f32.v1/metadata', '', 'DELETE'))).toEqual([
      405,
      'Unsupported method - DELETE /v1/models/add-f32.v1/metadata; use GET',
    ]);
  });

  it('answers paths that name no TF Serving resource with 404', async () => {
    for (const path of ['/v1/models/a/b', '/v1/models/a:explain', '/v1/models/a/versions/x']) {
      expect(await errorOf(await fetch(`${server.url}${path}`))).toEqual([
        404,
        `Requested REST resource not found - GET ${path}`,
      ]);
    }
  });
});
