import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, curlJson, errorOf, postJson } from './support/process.js';
import { OPENVINO_FOUND, writeConfig } from './support/repository.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// TF Serving REST and the OVMS config/metrics endpoints through curl, a client this project did
// not write.
let server: TestServer;
const url = (path: string) => `${server.restUrl}${path}`;

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(() => server?.stop());

describe('TF Serving REST', () => {
  it('GET /v1/models/{m} lists every version with its state', async () => {
    const { status, json } = await curlJson(url('/v1/models/add'));
    expect(status).toBe(200);
    expect(json).toEqual({
      model_version_status: [1, 2].map((version) => ({
        version: String(version),
        state: 'AVAILABLE',
        status: { error_code: 'OK', error_message: 'OK' },
      })),
    });
  });

  it('GET /v1/models/{m}/versions/{v} answers one version; a single model file is version 1', async () => {
    const one = await curlJson(url('/v1/models/single/versions/1'));
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      model_version_status: [{ version: '1', state: 'AVAILABLE' }],
    });
  });

  it('GET …/metadata answers the serving_default signature', async () => {
    const { status, json } = await curlJson(url('/v1/models/fixed/metadata'));
    expect(status).toBe(200);
    expect(json).toMatchObject({
      modelSpec: { name: 'fixed', version: '1' },
      // OVMS prints the SignatureDefMap with protobuf's JSON names (camelCase).
      metadata: {
        signature_def: {
          '@type': 'type.googleapis.com/tensorflow.serving.SignatureDefMap',
          signatureDef: {
            serving_default: {
              inputs: { x: { dtype: 'DT_FLOAT', name: 'x' } },
              outputs: { y: { dtype: 'DT_FLOAT', name: 'y' } },
              methodName: 'tensorflow/serving/predict',
            },
          },
        },
      },
    });
  });

  it('POST :predict answers the row format with predictions', async () => {
    const body = { instances: [{ a: [1, 2, 3, 4], b: [10, 20, 30, 40] }] };
    const { status, json } = await curlJson(url('/v1/models/add:predict'), postJson(body));
    expect({ status, json }).toEqual({ status: 200, json: { predictions: [[11, 22, 33, 44]] } });
  });

  it('POST /versions/{v}:predict answers the column format with outputs', async () => {
    const body = {
      inputs: {
        a: [
          [1, 1, 1],
          [2, 2, 2],
        ],
        b: [
          [1, 2, 3],
          [1, 2, 3],
        ],
      },
    };
    const { status, json } = await curlJson(
      url('/v1/models/two/versions/1:predict'),
      postJson(body),
    );
    expect(status).toBe(200);
    expect(json).toEqual({
      outputs: {
        sum: [
          [2, 3, 4],
          [3, 4, 5],
        ],
        diff: [
          [0, -1, -2],
          [1, 0, -1],
        ],
      },
    });
  });

  it.each([
    [
      'unknown model',
      '/v1/models/nope:predict',
      { instances: [[1]] },
      404,
      'Model with requested name is not found',
    ],
    [
      'unknown version',
      '/v1/models/add/versions/9:predict',
      { instances: [[1]] },
      404,
      'Model with requested version is not found',
    ],
    [
      'wrong input name',
      '/v1/models/fixed:predict',
      { inputs: { z: [[1, 2, 3]] } },
      400,
      'Unexpected input',
    ],
    [
      'wrong shape',
      '/v1/models/fixed:predict',
      { inputs: { x: [[1, 2, 3, 4]] } },
      400,
      'Invalid input shape',
    ],
    [
      'neither row nor column',
      '/v1/models/fixed:predict',
      { signature_name: 'serving_default' },
      400,
      'Invalid JSON structure. Could not detect row or column format',
    ],
    [
      'malformed JSON',
      '/v1/models/fixed:predict',
      '{"inputs": {"x": [[1, 2',
      400,
      'Request body is not a valid JSON',
    ],
  ])(
    'POST :predict with %s answers the status and message OVMS does',
    async (_case, path, body, code, message) => {
      const { status, json } = await curlJson(url(path), postJson(body));
      expect({ status, error: errorOf(json).slice(0, message.length) }).toEqual({
        status: code,
        error: message,
      });
    },
  );

  it('GET /v1/models/{m} for an unknown model is 404 with OVMS wording', async () => {
    const { status, json } = await curlJson(url('/v1/models/nope'));
    expect({ status, json }).toEqual({
      status: 404,
      json: { error: 'Model with requested name is not found' },
    });
  });

  it.each(['classify', 'regress'])(':%s is refused with a clear 404', async (api) => {
    const { status, json } = await curlJson(
      url(`/v1/models/add:${api}`),
      postJson({ examples: [] }),
    );
    expect({ status, json }).toEqual({
      status: 404,
      json: {
        error: `Requested REST resource not found - the ${api} API is not supported; use :predict`,
      },
    });
  });
});

describe('OVMS config endpoints', () => {
  it('GET /v1/config lists every model with its version statuses', async () => {
    const { status, json } = await curlJson(url('/v1/config'));
    expect(status).toBe(200);
    expect(Object.keys(json as object).sort()).toEqual(
      ['add', 'fixed', 'single', 'two', ...(OPENVINO_FOUND ? ['add_ir'] : [])].sort(),
    );
  });

  it('POST /v1/config/reload answers 200 when nothing changed and 201 after a change', async () => {
    const unchanged = await curl(url('/v1/config/reload'), ['-X', 'POST']);
    expect(unchanged.status).toBe(200);
    await writeConfig(server.configPath, [
      { name: 'add', base_path: join(server.root, 'add'), model_version_policy: { all: {} } },
      { name: 'fixed', base_path: join(server.root, 'fixed') },
      { name: 'two', base_path: join(server.root, 'two') },
      { name: 'single', base_path: join(server.root, 'files', 'model.onnx') },
      { name: 'fixed_again', base_path: join(server.root, 'fixed') },
    ]);
    const changed = await curlJson(url('/v1/config/reload'), ['-X', 'POST']);
    expect(changed.status).toBe(201);
    expect(changed.json).toHaveProperty('fixed_again');
  });

  it('POST /v1/config/reload with a broken config file is 412 and keeps serving', async () => {
    await writeFile(server.configPath, '{ "model_config_list": [ ');
    const broken = await curlJson(url('/v1/config/reload'), ['-X', 'POST']);
    expect(broken.status).toBe(412);
    expect(errorOf(broken.json)).toMatch(/The file is not valid json - /);
    const stillServing = await curl(url('/v2/models/add/ready'));
    expect(stillServing.status).toBe(200);
  });

  it('GET /metrics serves the OVMS metric families', async () => {
    const { status, body } = await curl(url('/metrics'));
    expect(status).toBe(200);
    expect(body).toMatch(
      /ovms_requests_success\{api="TensorFlowServing",interface="REST",method="Predict",name="add",version="2"\} [1-9]/,
    );
    expect(body).toContain('# TYPE ovms_request_time_us histogram');
  });
});
