import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SERVER_NAME,
  SERVER_VERSION,
  errorOf,
  startTestServer,
  type TestServer,
} from './harness.js';
import { binaryBody, floatBytes, floatsOf } from './wire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const get = (path: string) => fetch(`${server.url}${path}`);
const infer = (
  model: string,
  body: NonNullable<RequestInit['body']>,
  headers: Record<string, string> = {},
) => fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body, headers });
const input = (name: string, data: number[], shape = [1, data.length], datatype = 'FP32') => ({
  name,
  shape,
  datatype,
  data,
});

describe('KServe v2 REST health and server metadata', () => {
  it('is live and ready with empty 200 bodies; not ready is 503', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    }
    server.provider.ready = false;
    try {
      expect(await errorOf(await get('/v2/health/ready'))).toEqual([503, 'Server is not ready']);
      expect((await get('/v2/health/live')).status).toBe(200);
    } finally {
      server.provider.ready = true;
    }
  });

  it('answers GET /v2 with the name, version and the extensions served', async () => {
    expect(await (await get('/v2')).json()).toEqual({
      name: SERVER_NAME,
      version: SERVER_VERSION,
      extensions: ['binary_tensor_data'],
    });
  });
});

describe('KServe v2 REST model metadata and readiness', () => {
  const tensors = (...names: string[]) =>
    names.map((name) => ({ name, datatype: 'FP32', shape: [-1, 4] }));

  it('describes a model with its available versions and -1 for dynamic dims', async () => {
    const expected = {
      name: 'add-f32.v1',
      versions: ['1', '2'],
      platform: 'OpenVINO',
      inputs: tensors('a', 'b'),
      outputs: tensors('sum'),
    };
    for (const path of ['', '/', '/versions/1']) {
      const response = await get(`/v2/models/add-f32.v1${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
    }
  });

  it('refuses unknown models and versions, and versions not loaded', async () => {
    expect(await errorOf(await get('/v2/models/nope'))).toEqual([
      404,
      'Model with requested name is not found',
    ]);
    expect(await errorOf(await get('/v2/models/add-f32.v1/versions/9'))).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    // No AVAILABLE version to default to: the rule gRPC ModelMetadata answers with.
    expect(await errorOf(await get('/v2/models/loading'))).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    expect(await errorOf(await get('/v2/models/loading/versions/1'))).toEqual([
      503,
      'Model with requested version is not loaded yet',
    ]);
  });

  it('reports readiness per model and version', async () => {
    for (const path of ['add-f32.v1', 'add-f32.v1/versions/1', 'echo']) {
      const response = await get(`/v2/models/${path}/ready`);
      expect([response.status, await response.text()]).toEqual([200, '']);
    }
    expect(await errorOf(await get('/v2/models/add-f32.v1/versions/3/ready'))).toEqual([
      503,
      'Model with requested version is not loaded yet',
    ]);
    expect(await errorOf(await get('/v2/models/loading/ready'))).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    expect(await errorOf(await get('/v2/models/loading/versions/1/ready'))).toEqual([
      503,
      'Model with requested version is not loaded yet',
    ]);
    expect(await errorOf(await get('/v2/models/add-f32.v1/versions/9/ready'))).toEqual([
      404,
      'Model with requested version is not found',
    ]);
    expect(await errorOf(await get('/v2/models/nope/ready'))).toEqual([
      404,
      'Model with requested name is not found',
    ]);
  });
});

describe('KServe v2 REST infer', () => {
  it('answers JSON with the id echoed and the version that served', async () => {
    const response = await infer(
      'add-f32.v1',
      JSON.stringify({
        id: 'req-1',
        inputs: [input('a', [1, 2, 3, 4]), input('b', [1, 1, 1, 1.5])],
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('inference-header-content-length')).toBeNull();
    expect(await response.json()).toEqual({
      model_name: 'add-f32.v1',
      model_version: '2',
      id: 'req-1',
      outputs: [{ name: 'sum', datatype: 'FP32', shape: [1, 4], data: [2, 3, 4, 5.5] }],
    });
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const response = await infer(
      'two/versions/1',
      JSON.stringify({
        inputs: [input('a', [5, 5, 5]), input('b', [1, 2, 3])],
        outputs: [{ name: 'diff' }],
      }),
    );
    expect(await response.json()).toEqual({
      model_name: 'two',
      model_version: '1',
      outputs: [{ name: 'diff', datatype: 'FP32', shape: [1, 3], data: [4, 3, 2] }],
    });
  });

  it('reads binary inputs after the JSON header (binary data extension)', async () => {
    const meta = (name: string) => ({
      name,
      shape: [1, 4],
      datatype: 'FP32',
      parameters: { binary_data_size: 16 },
    });
    const [body, jsonLength] = binaryBody(
      { inputs: [meta('a'), meta('b')] },
      floatBytes([1, 2, 3, 4]),
      floatBytes([0.5, 0.5, 0.5, 0.5]),
    );
    const response = await infer('add-f32.v1', body, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(jsonLength),
    });
    const json = (await response.json()) as { outputs: { data: number[] }[] };
    expect(json.outputs[0]?.data).toEqual([1.5, 2.5, 3.5, 4.5]);
  });

  it('writes binary outputs after the JSON when asked, per request or per output', async () => {
    const response = await infer(
      'two',
      JSON.stringify({
        inputs: [input('a', [5, 5, 5]), input('b', [1, 2, 3])],
        outputs: [{ name: 'sum', parameters: { binary_data: true } }, { name: 'diff' }],
      }),
    );
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const length = Number(response.headers.get('inference-header-content-length'));
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(0, length)))).toEqual({
      model_name: 'two',
      model_version: '1',
      outputs: [
        { name: 'sum', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } },
        { name: 'diff', datatype: 'FP32', shape: [1, 3], data: [4, 3, 2] },
      ],
    });
    expect(floatsOf(bytes.subarray(length))).toEqual([6, 7, 8]);

    const all = await infer(
      'add-f32.v1',
      JSON.stringify({
        parameters: { binary_data_output: true },
        inputs: [input('a', [1, 2, 3, 4]), input('b', [1, 1, 1, 1])],
      }),
    );
    const allLength = Number(all.headers.get('inference-header-content-length'));
    expect(floatsOf(new Uint8Array(await all.arrayBuffer()).subarray(allLength))).toEqual([
      2, 3, 4, 5,
    ]);
  });

  it('takes a raw binary body for a single-input model (header length 0)', async () => {
    const response = await infer('dyn', floatBytes([1, 2, 3]), {
      'inference-header-content-length': '0',
    });
    const length = Number(response.headers.get('inference-header-content-length'));
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(0, length)))).toEqual({
      model_name: 'dyn',
      model_version: '1',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } },
      ],
    });
    expect(floatsOf(bytes.subarray(length))).toEqual([2, 3, 4]);
  });

  it('carries BYTES in JSON and as length-prefixed binary', async () => {
    const json = await infer(
      'echo',
      JSON.stringify({
        inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', data: ['hi', 'there'] }],
        outputs: [{ name: 'echo' }],
      }),
    );
    expect(await json.json()).toEqual({
      model_name: 'echo',
      model_version: '1',
      outputs: [{ name: 'echo', datatype: 'BYTES', shape: [2], data: ['hi', 'there'] }],
    });
    const element = new Uint8Array([2, 0, 0, 0, 0x68, 0x69]);
    const [body, jsonLength] = binaryBody(
      {
        inputs: [
          { name: 'text', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: 6 } },
        ],
        outputs: [{ name: 'echo', parameters: { binary_data: true } }],
      },
      element,
    );
    const binary = await infer('echo', body, {
      'inference-header-content-length': String(jsonLength),
    });
    const length = Number(binary.headers.get('inference-header-content-length'));
    expect([...new Uint8Array(await binary.arrayBuffer()).subarray(length)]).toEqual([...element]);
  });
});
