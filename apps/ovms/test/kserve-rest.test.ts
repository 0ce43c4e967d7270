import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, curlJson, errorOf, postJson } from './support/process.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// KServe v2 REST (JSON and the binary data extension) through curl, a client this project did
// not write.
let server: TestServer;

/** The fewest significant digits (trimmed from 9) whose decimal reads back as `value`. */
function shortestFloat32Text(value: number): string {
  if (Number.isInteger(value)) return String(value);
  let best = Number(value.toPrecision(9));
  for (let precision = 8; precision >= 1; precision--) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) !== value) break;
    best = candidate;
  }
  return String(best);
}
const url = (path: string) => `${server.restUrl}${path}`;

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(() => server?.stop());

describe('KServe v2 REST', () => {
  it('health, server metadata and model readiness', async () => {
    expect((await curl(url('/v2/health/live'))).status).toBe(200);
    expect((await curl(url('/v2/health/ready'))).status).toBe(200);
    expect(await curlJson(url('/v2'))).toMatchObject({
      status: 200,
      json: { name: 'OpenVINO Model Server', version: '0.0.0-test' },
    });
    expect((await curl(url('/v2/models/add/ready'))).status).toBe(200);
    expect((await curl(url('/v2/models/add/versions/2/ready'))).status).toBe(200);
  });

  it('GET /v2/models/{m}[/versions/{v}] answers model metadata', async () => {
    const { status, json } = await curlJson(url('/v2/models/add/versions/1'));
    expect(status).toBe(200);
    expect(json).toMatchObject({
      name: 'add',
      versions: ['1', '2'],
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [-1, 4] },
        { name: 'b', datatype: 'FP32', shape: [-1, 4] },
      ],
      outputs: [{ name: 'sum', datatype: 'FP32', shape: [-1, 4] }],
    });
  });

  it('POST …/infer with JSON tensors', async () => {
    const body = {
      inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 1, 1] }],
    };
    const { status, json } = await curlJson(url('/v2/models/fixed/infer'), postJson(body));
    expect(status).toBe(200);
    expect(json).toMatchObject({
      model_name: 'fixed',
      model_version: '1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 3], data: [2, 3, 4] }],
    });
  });

  it('POST …/infer with the binary data extension both ways', async () => {
    const header = JSON.stringify({
      inputs: [
        { name: 'x', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: 12 } },
      ],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
    });
    const file = join(server.root, 'binary-request');
    await writeFile(
      file,
      Buffer.concat([Buffer.from(header), Buffer.from(new Float32Array([0.5, 1, 2]).buffer)]),
    );
    const out = join(server.root, 'binary-response');
    const { status } = await curl(url('/v2/models/fixed/infer'), [
      ...['-X', 'POST', '-H', `Inference-Header-Content-Length: ${header.length}`],
      ...['-H', 'Content-Type: application/octet-stream', '--data-binary', `@${file}`],
      ...['-D', `${out}.headers`, '-o', out],
    ]);
    expect(status).toBe(200);
    const headers = await readFile(`${out}.headers`, 'utf8');
    const jsonLength = Number(/inference-header-content-length: (\d+)/i.exec(headers)?.[1]);
    const bytes = await readFile(out);
    expect(JSON.parse(bytes.subarray(0, jsonLength).toString())).toMatchObject({
      outputs: [{ name: 'y', parameters: { binary_data_size: 12 } }],
    });
    const values = new Float32Array(Uint8Array.from(bytes.subarray(jsonLength)).buffer);
    expect([...values]).toEqual([1.5, 3, 5]);
  });

  it.each([
    [
      'unknown model',
      '/v2/models/nope/infer',
      { inputs: [] },
      404,
      'Model with requested name is not found',
    ],
    [
      'unknown version',
      '/v2/models/add/versions/7/infer',
      { inputs: [] },
      404,
      'Model with requested version is not found',
    ],
    [
      'wrong input name',
      '/v2/models/fixed/infer',
      { inputs: [{ name: 'z', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] },
      400,
      'Missing input with specific name',
    ],
    [
      'wrong shape',
      '/v2/models/fixed/infer',
      { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] },
      400,
      'Invalid input shape',
    ],
    [
      'wrong dtype',
      '/v2/models/fixed/infer',
      { inputs: [{ name: 'x', shape: [1, 3], datatype: 'INT32', data: [1, 2, 3] }] },
      400,
      'Invalid input precision',
    ],
    [
      'wrong value count',
      '/v2/models/fixed/infer',
      { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2] }] },
      400,
      'Invalid number of values in tensor proto container',
    ],
    [
      'malformed JSON',
      '/v2/models/fixed/infer',
      '{"inputs": [{"name": "x",',
      400,
      'Request body is not a valid JSON',
    ],
  ])(
    'POST …/infer with %s answers the status and message OVMS does',
    async (_case, path, body, code, message) => {
      const { status, json } = await curlJson(url(path), postJson(body));
      expect({ status, error: errorOf(json).slice(0, message.length) }).toEqual({
        status: code,
        error: message,
      });
    },
  );

  it('reads float32 sent as double text exactly and answers the shortest text of each float32', async () => {
    // What numpy's tolist() and JSON.stringify send: the double expansion of each float32.
    const rows = 2048;
    const a = new Float32Array(rows * 4);
    const b = new Float32Array(rows * 4);
    for (let i = 0; i < a.length; i++) {
      a[i] = Math.sin(i) * 10 ** ((i % 9) - 4);
      b[i] = Math.cos(i * 7) / 3;
    }
    const body = {
      inputs: [
        { name: 'a', shape: [rows, 4], datatype: 'FP32', data: Array.from(a) },
        { name: 'b', shape: [rows, 4], datatype: 'FP32', data: Array.from(b) },
      ],
    };
    const file = join(server.root, 'double-text-request.json');
    await writeFile(file, JSON.stringify(body));
    const { status, body: text } = await curl(url('/v2/models/add/infer'), [
      ...['-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', `@${file}`],
    ]);
    expect(status).toBe(200);
    const data = /"data":\[([^\]]*)\]/.exec(text)?.[1]?.split(',') ?? [];
    expect(data).toHaveLength(a.length);
    const wrong = data.filter((token, i) => {
      const sum = Math.fround(a[i]! + b[i]!);
      return Math.fround(Number(token)) !== sum || token !== shortestFloat32Text(sum);
    });
    expect(wrong).toEqual([]);
  });

  it('a binary input of the wrong byte size is 400', async () => {
    const header = JSON.stringify({
      inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: 8 } }],
    });
    const file = join(server.root, 'short-binary-request');
    await writeFile(file, Buffer.concat([Buffer.from(header), Buffer.alloc(8)]));
    const { status, json } = await curlJson(url('/v2/models/fixed/infer'), [
      ...['-X', 'POST', '-H', `Inference-Header-Content-Length: ${header.length}`],
      ...['--data-binary', `@${file}`],
    ]);
    expect(status).toBe(400);
    expect(errorOf(json)).toMatch(/^Invalid content size of tensor proto/);
  });
});

describe('unknown paths and methods', () => {
  it('an unknown path is 404 and a wrong method 405, with OVMS wording', async () => {
    const unknown = await curlJson(url('/v3/anything'));
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.json)).toMatch(/^Requested REST resource not found/);
    const wrongMethod = await curlJson(url('/v2/health/live'), ['-X', 'DELETE']);
    expect(wrongMethod.status).toBe(405);
    expect(errorOf(wrongMethod.json)).toMatch(/^Unsupported method/);
  });
});
