import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kserveAddBody } from './support/add-request.js';
import { controlArgs, writeControlRepository } from './support/control-repository.js';
import { mutate, seededRandom } from './support/robustness.js';
import { startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';

// Triton's repository and statistics routes as curl sends them, on the real `ovms` binary in
// explicit mode (docs/api.md "Model control"): bodies optional and checked key by key, the body
// size limit, wrong methods, names that are not folder names, an unload under load, a seeded
// run of damaged bodies. Other setups: model-control-setups.test.ts.
const MAX_BODY = 64 * 1024;

let root: string;
let server: GrpcServerProcess;

beforeAll(async () => {
  root = await writeControlRepository();
  server = await startReadyServer([
    ...controlArgs(root, 'explicit'),
    ...['--max_message_bytes', String(MAX_BODY), '--metrics_enable'],
  ]);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** One request, as `curl -X <method> [-d <body>] <url>` sends it; the body parsed when JSON. */
async function curl(method: string, path: string, body?: string): Promise<Answer> {
  const response = await fetch(`${server.restUrl}${path}`, {
    method,
    ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? '' : (JSON.parse(text) as unknown) };
}

const error = (status: number, message: string): Answer => ({ status, body: { error: message } });
const INFER_FIXED = JSON.stringify({
  inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }],
});
const config = (object: object) =>
  JSON.stringify({ parameters: { config: JSON.stringify(object) } });

describe('model control over REST, curl-shaped', () => {
  it('POST /v2/repository/index: no body, {} and {"ready": …}', async () => {
    const all = [
      { name: 'add', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
      { name: 'fixed', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
    ];
    expect(await curl('POST', '/v2/repository/index')).toEqual({ status: 200, body: all });
    expect(await curl('POST', '/v2/repository/index', '{}')).toEqual({ status: 200, body: all });
    expect(await curl('POST', '/v2/repository/index', '{"ready": true}')).toEqual({
      status: 200,
      body: [],
    });
  });

  it('loads with a config override, infers, reports statistics three ways, unloads', async () => {
    const load = await curl(
      'POST',
      '/v2/repository/models/fixed/load',
      config({ nireq: 2, model_version_policy: { all: {} } }),
    );
    expect(load).toEqual({ status: 200, body: '' });
    expect(await curl('POST', '/v2/repository/index', '{"ready": true}')).toEqual({
      status: 200,
      body: [{ name: 'fixed', version: '1', state: 'READY', reason: '' }],
    });
    expect(await curl('POST', '/v2/models/fixed/infer', INFER_FIXED)).toMatchObject({
      status: 200,
      body: { outputs: [{ name: 'y', data: [2, 4, 6] }] },
    });

    const byModel = await curl('GET', '/v2/models/fixed/stats');
    expect(byModel.status).toBe(200);
    const stats = (byModel.body as { model_stats: Record<string, unknown>[] }).model_stats;
    expect(stats).toEqual([
      {
        name: 'fixed',
        version: '1',
        last_inference: expect.any(Number) as number,
        inference_count: 1,
        execution_count: 1,
        inference_stats: {
          success: { count: 1, ns: expect.any(Number) as number },
          fail: { count: 0, ns: 0 },
          queue: { count: 1, ns: expect.any(Number) as number },
          compute_input: { count: 0, ns: 0 },
          compute_infer: { count: 1, ns: expect.any(Number) as number },
          compute_output: { count: 0, ns: 0 },
          cache_hit: { count: 0, ns: 0 },
          cache_miss: { count: 0, ns: 0 },
        },
        batch_stats: [],
      },
    ]);
    expect(stats[0]?.['last_inference']).toBeGreaterThan(Date.now() - 60_000);
    expect(await curl('GET', '/v2/models/fixed/versions/1/stats')).toEqual(byModel);
    expect(await curl('GET', '/v2/models/stats')).toEqual(byModel);
    // The same observation reached the Prometheus metrics: one successful ModelInfer over REST.
    const metrics = await (await fetch(`${server.restUrl}/metrics`)).text();
    expect(metrics).toContain(
      'ovms_requests_success{api="KServe",interface="REST",method="ModelInfer",name="fixed",version="1"} 1',
    );

    const unload = '{"parameters": {"unload_dependents": false}}';
    expect(await curl('POST', '/v2/repository/models/fixed/unload', unload)).toEqual({
      status: 200,
      body: '',
    });
    expect(await curl('POST', '/v2/models/fixed/infer', INFER_FIXED)).toMatchObject({
      status: 404,
    });
  });

  it('an unload under load fails no request: each is served or refused before admission', async () => {
    expect((await curl('POST', '/v2/repository/models/add/load')).status).toBe(200);
    const body = kserveAddBody();
    const answers: string[] = [];
    let served = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const answer = await curl('POST', '/v2/models/add/infer', body);
        if (answer.status === 200) served += 1;
        else answers.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await expect.poll(() => served, { timeout: 30_000 }).toBeGreaterThan(20);
    expect(await curl('POST', '/v2/repository/models/add/unload')).toEqual({
      status: 200,
      body: '',
    });
    await expect.poll(() => answers.length, { timeout: 30_000 }).toBeGreaterThan(4);
    stop = true;
    await Promise.all(clients);
    // Refused before a lease (the version is UNLOADING or gone), never failed once admitted.
    expect(new Set(answers)).toEqual(
      new Set(['404 {"error":"Model with requested version is not found"}']),
    );
  });

  it.each([
    ['a name with an encoded /', 'a%2Fb', 'a/b'],
    ['a name with a \\', 'a%5Cb', 'a\\b'],
  ])('refuses %s with 400', async (_what, encoded, name) => {
    for (const action of ['load', 'unload'])
      expect(await curl('POST', `/v2/repository/models/${encoded}/${action}`)).toEqual(
        error(
          400,
          `Invalid argument - model name must be one folder name of the model repository (no '/', '\\', '..' or empty name); got ${JSON.stringify(name)}`,
        ),
      );
  });

  it.each([
    ['not JSON', 'nope', error(400, 'Request body is not a valid JSON')],
    ['an array', '[1]', error(400, 'Invalid JSON structure. Request body is not an object')],
    [
      'an unknown key',
      '{"model": "add"}',
      error(400, 'Invalid argument - unknown key "model"; expected parameters'),
    ],
    [
      'parameters that are not an object',
      '{"parameters": []}',
      error(400, 'Invalid argument - parameters: expected an object'),
    ],
    [
      'a nested parameter',
      '{"parameters": {"config": {"nireq": 1}}}',
      error(400, 'Invalid argument - parameters.config: expected a string, number or boolean'),
    ],
    [
      "Triton's file override",
      '{"parameters": {"config": "{}", "file:1/model.onnx": "AAAA"}}',
      error(
        400,
        'Invalid argument - parameters.file:1/model.onnx: model files cannot be sent with a load; put them in the model repository',
      ),
    ],
    [
      'an unload parameter',
      '{"parameters": {"unload_dependents": true}}',
      error(400, 'Invalid argument - unknown load parameter "unload_dependents"'),
    ],
    [
      'a config that is not JSON',
      '{"parameters": {"config": "{nireq"}}',
      error(
        400,
        'Invalid argument - parameters.config is not valid JSON - Expected a double-quoted property name at line 1, column 2',
      ),
    ],
    [
      'a config naming its base_path',
      config({ base_path: '/etc' }),
      error(
        400,
        'Invalid argument - parameters.config: base_path comes from the model repository and cannot be set',
      ),
    ],
  ])('refuses a load body that is %s', async (_what, body, answer) => {
    expect(await curl('POST', '/v2/repository/models/add/load', body)).toEqual(answer);
  });

  it('refuses the index a body with a wrong key or type', async () => {
    expect(await curl('POST', '/v2/repository/index', '{"ready": "yes"}')).toEqual(
      error(400, 'Invalid argument - ready: expected a boolean'),
    );
    expect(await curl('POST', '/v2/repository/index', '{"repository_name": "x"}')).toEqual(
      error(400, 'Invalid argument - unknown key "repository_name"; expected ready'),
    );
  });

  it('answers a wrong method 405 and a body over --max_message_bytes 413', async () => {
    for (const [method, path] of [
      ['GET', '/v2/repository/index'],
      ['GET', '/v2/repository/models/add/load'],
      ['DELETE', '/v2/repository/models/add/unload'],
      ['POST', '/v2/models/stats'],
      ['POST', '/v2/models/add/versions/1/stats'],
    ] as const) {
      const answer = await curl(method, path);
      expect([method, path, answer.status]).toEqual([method, path, 405]);
    }
    const huge = config({ target_device: 'x'.repeat(MAX_BODY) });
    expect((await curl('POST', '/v2/repository/models/add/load', huge)).status).toBe(413);
    expect((await curl('POST', '/v2/repository/index', ' '.repeat(MAX_BODY + 1))).status).toBe(413);
  });

  it('answers every damaged body with 200 or a 4xx {"error"}, then still serves (seeded)', async () => {
    const random = seededRandom(16_2026);
    const enc = new TextEncoder();
    const routes: [string, string][] = [
      ['/v2/repository/index', '{"ready": false}'],
      ['/v2/repository/models/fixed/load', config({ nireq: 1 })],
      ['/v2/repository/models/fixed/unload', '{"parameters": {"unload_dependents": false}}'],
    ];
    for (const [path, valid] of routes) {
      for (let i = 0; i < 40; i += 1) {
        const body = mutate(enc.encode(valid), random);
        const response = await fetch(`${server.restUrl}${path}`, {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        const label = `${path} ${JSON.stringify(new TextDecoder().decode(body))}: ${response.status} ${text}`;
        if (response.status === 200) continue;
        expect(response.status >= 400 && response.status < 500, label).toBe(true);
        expect(typeof (JSON.parse(text) as { error?: unknown }).error, label).toBe('string');
      }
    }
    expect((await curl('POST', '/v2/repository/models/fixed/load')).status).toBe(200);
    expect(await curl('POST', '/v2/models/fixed/infer', INFER_FIXED)).toMatchObject({
      status: 200,
    });
  });
});
