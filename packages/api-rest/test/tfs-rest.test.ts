import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const get = (path: string) => fetch(`${server.url}${path}`);
const post = (path: string, body: string) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
const predict = (body: unknown, path = '/v1/models/add-f32.v1:predict') =>
  post(path, JSON.stringify(body));

const ok = (version: number, state = 'AVAILABLE') => ({
  version: String(version),
  state,
  status: { error_code: 'OK', error_message: 'OK' },
});

describe('TF Serving REST model status', () => {
  it('lists every version, printed as OVMS prints GetModelStatusResponse', async () => {
    const response = await get('/v1/models/add-f32.v1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      model_version_status: [ok(1), ok(2), ok(3, 'LOADING')],
    });
    expect(text.startsWith('{\n "model_version_status": [\n  {\n   "version": "1",')).toBe(true);
  });

  it('reports one version, and ignores labels as OVMS does', async () => {
    const one = await get('/v1/models/add-f32.v1/versions/1');
    expect(await one.json()).toEqual({ model_version_status: [ok(1)] });
    const labelled = await get('/v1/models/add-f32.v1/labels/stable');
    expect(await labelled.json()).toEqual({
      model_version_status: [ok(1), ok(2), ok(3, 'LOADING')],
    });
  });

  it('answers unknown names and versions with OVMS codes', async () => {
    expect(await errorOf(await get('/v1/models/nope'))).toEqual([
      404,
      'Model with requested name is not found',
    ]);
    expect(await errorOf(await get('/v1/models'))).toEqual([
      404,
      'Model with requested name is not found',
    ]);
    expect(await errorOf(await get('/v1/models/add-f32.v1/versions/9'))).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    expect(await errorOf(await get('/v1/models/add-f32.v1/versions/99999999999999999999'))).toEqual(
      [
        404,
        'Model with requested version is not found - version 99999999999999999999 is out of range',
      ],
    );
  });
});

describe('TF Serving REST model metadata', () => {
  it('prints the signature_def of the default version', async () => {
    const response = await get('/v1/models/add-f32.v1/metadata');
    expect(response.status).toBe(200);
    const dims = [
      { size: '-1', name: '' },
      { size: '4', name: '' },
    ];
    const info = (name: string) => ({
      dtype: 'DT_FLOAT',
      tensorShape: { dim: dims, unknownRank: false },
      name,
    });
    expect(await response.json()).toEqual({
      modelSpec: { name: 'add-f32.v1', signatureName: '', version: '2' },
      metadata: {
        signature_def: {
          '@type': 'type.googleapis.com/tensorflow.serving.SignatureDefMap',
          signatureDef: {
            serving_default: {
              inputs: { a: info('a'), b: info('b') },
              outputs: { sum: info('sum') },
              methodName: 'tensorflow/serving/predict',
              defaults: {},
            },
          },
        },
      },
    });
  });

  it('serves a given version and refuses one still loading', async () => {
    const response = await get('/v1/models/add-f32.v1/versions/1/metadata');
    const body = (await response.json()) as { modelSpec: { version: string } };
    expect(body.modelSpec.version).toBe('1');
    expect(await errorOf(await get('/v1/models/add-f32.v1/versions/3/metadata'))).toEqual([
      503,
      'Model with requested version is not loaded yet',
    ]);
    expect(await errorOf(await get('/v1/models/nope/metadata'))).toEqual([
      404,
      'Model with requested name is not found',
    ]);
  });
});

describe('TF Serving REST predict', () => {
  it('answers the row format with predictions', async () => {
    const response = await predict({
      instances: [
        { a: [1, 2, 3, 4], b: [10, 20, 30, 40] },
        { a: [0.5, 0, 0, 0], b: [0.25, 0, 0, -1] },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      predictions: [
        [11, 22, 33, 44],
        [0.75, 0, 0, -1],
      ],
    });
  });

  it('answers the column format with outputs', async () => {
    const response = await predict({ inputs: { a: [[1, 2, 3, 4]], b: [[1, 1, 1, 1]] } });
    expect(await response.text()).toBe('{"outputs":[[2,3,4,5]]}');
  });

  it('gives several outputs per row in the row format, by name in the column format', async () => {
    const row = await predict(
      { instances: [{ a: [1, 2, 3], b: [1, 1, 1] }] },
      '/v1/models/two:predict',
    );
    expect(await row.json()).toEqual({ predictions: [{ sum: [2, 3, 4], diff: [0, 1, 2] }] });
    const column = await predict(
      { inputs: { a: [[1, 2, 3]], b: [[1, 1, 1]] } },
      '/v1/models/two:predict',
    );
    expect(await column.json()).toEqual({ outputs: { sum: [[2, 3, 4]], diff: [[0, 1, 2]] } });
  });

  it('takes bare instances for a single-input model', async () => {
    const response = await predict(
      {
        instances: [
          [1, 2],
          [3, 4],
        ],
      },
      '/v1/models/dyn:predict',
    );
    expect(await response.json()).toEqual({
      predictions: [
        [2, 3],
        [4, 5],
      ],
    });
  });

  it('keeps 64-bit integers exact', async () => {
    const big = '9007199254740993';
    const response = await post(
      '/v1/models/i64:predict',
      `{"inputs": {"a": [[${big}, 1, 2, 3]], "b": [[0, 1, 1, 1]]}}`,
    );
    expect(await response.text()).toBe(`{"outputs":[[${big},2,3,4]]}`);
  });

  it('decodes {"b64"} inputs and writes *_bytes outputs as b64', async () => {
    const response = await predict(
      { instances: [{ b64: 'aGVsbG8=' }, { b64: 'd29ybGQ=' }] },
      '/v1/models/echo:predict',
    );
    expect(await response.json()).toEqual({
      predictions: [
        { echo_bytes: { b64: 'aGVsbG8=' }, echo: 'hello' },
        { echo_bytes: { b64: 'd29ybGQ=' }, echo: 'world' },
      ],
    });
  });

  it('serves a version, and the default version for a label', async () => {
    const body = { inputs: { a: [[1, 1, 1, 1]], b: [[1, 1, 1, 1]] } };
    for (const path of ['/versions/1:predict', '/labels/latest:predict']) {
      const response = await predict(body, `/v1/models/add-f32.v1${path}`);
      expect(await response.json()).toEqual({ outputs: [[2, 2, 2, 2]] });
    }
  });
});
