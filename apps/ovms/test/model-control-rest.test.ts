import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { freePort } from '@ovms/storage/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlArgs, writeControlRepository } from './support/control-repository.js';
import { createGrpcClients, expectGrpcError, unary } from './support/grpc.js';
import { MAIN_TS, PROJECT_ROOT } from './support/paths.js';
import { run } from './support/process.js';
import { mutate, seededRandom } from './support/robustness.js';
import { eventually, startGrpcServerProcess, startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';
import { httpsRequest, readClientTls, writeTestPki } from './support/tls.js';
import type { ClientTls } from './support/tls.js';

// Triton's repository and statistics routes as curl sends them, on the real `ovms` binary in
// explicit mode (docs/api.md "Model control"): bodies optional and checked key by key, the body
// size limit, wrong methods, names that are not folder names, a seeded run of damaged bodies;
// then the same routes behind TLS and an API key (docs/security.md), on both transports.
const MAX_BODY = 64 * 1024;
const API_KEY = 'control-key-41c9';

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

describe('model control flags', () => {
  it('a --model_repository_path that is not a folder stops the start, naming it', async () => {
    const missing = join(root, 'no-such-folder');
    const result = await run(
      process.execPath,
      [
        ...['--conditions=@ovms/source', '--import', 'tsx', MAIN_TS],
        ...['--rest_port', String(await freePort())],
        ...controlArgs(missing, 'explicit'),
      ],
      { cwd: PROJECT_ROOT, timeoutMs: 60_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `ovms: The provided base path is invalid or doesn't exists - --model_repository_path ${missing} is not a folder`,
    );
  });
});

describe('model control behind TLS and an API key', () => {
  let dir: string;
  let secure: GrpcServerProcess;
  let tls: ClientTls;
  const headers = { authorization: `Bearer ${API_KEY}` };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovms-control-tls-'));
    const pki = await writeTestPki(dir);
    const keyFile = join(dir, 'key.txt');
    await writeFile(keyFile, API_KEY);
    tls = await readClientTls(pki.caCert);
    secure = await startGrpcServerProcess(
      [
        ...controlArgs(root, 'explicit'),
        ...['--tls_cert', pki.serverCert, '--tls_key', pki.serverKey, '--api_key_file', keyFile],
      ],
      {},
    );
    // Readiness from the log: the health probe would need TLS.
    await eventually(
      () => Promise.resolve(secure.exited() || secure.output().includes('"msg":"Server ready"')),
      120_000,
      () => secure.output(),
    );
    if (secure.exited()) throw new Error(`ovms exited:\n${secure.output()}`);
  }, 180_000);
  afterAll(async () => {
    await secure?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const https = (method: string, path: string, withKey: boolean) =>
    httpsRequest(`${secure.restUrl.replace('http:', 'https:')}${path}`, tls, {
      method,
      ...(withKey && { headers }),
    });

  it('REST: 401 without the key on every route, served with it', async () => {
    const routes: [string, string][] = [
      ['POST', '/v2/repository/index'],
      ['POST', '/v2/repository/models/add/load'],
      ['POST', '/v2/repository/models/add/unload'],
      ['GET', '/v2/models/stats'],
      ['GET', '/v2/models/add/stats'],
    ];
    for (const [method, path] of routes) {
      const answer = await https(method, path, false);
      expect([method, path, answer.status]).toEqual([method, path, 401]);
    }
    for (const [method, path] of routes) {
      const answer = await https(method, path, true);
      // Unloaded last, `add` has no statistics to report.
      const wanted = path === '/v2/models/add/stats' ? 404 : 200;
      expect([method, path, answer.status]).toEqual([method, path, wanted]);
    }
    // Plain HTTP on the TLS port is not answered.
    await expect(
      fetch(`${secure.restUrl}/v2/repository/index`, { method: 'POST' }),
    ).rejects.toThrow();
  });

  it('gRPC: UNAUTHENTICATED without the key, served with it', async () => {
    const clients = createGrpcClients(
      secure.grpcAddress.replace('127.0.0.1', 'localhost'),
      grpc.credentials.createSsl(Buffer.from(tls.ca)),
    );
    try {
      for (const [method, request] of [
        ['RepositoryIndex', {}],
        ['RepositoryModelLoad', { model_name: 'add' }],
        ['RepositoryModelUnload', { model_name: 'add' }],
        ['ModelStatistics', {}],
      ] as const)
        await expectGrpcError(
          unary(clients.inference, method, request),
          grpc.status.UNAUTHENTICATED,
          'Missing API key',
        );
      const key = new grpc.Metadata();
      key.set('authorization', `Bearer ${API_KEY}`);
      await unary(clients.inference, 'RepositoryModelLoad', { model_name: 'add' }, key);
      expect(await unary(clients.inference, 'RepositoryIndex', { ready: true }, key)).toEqual({
        models: [{ name: 'add', version: '2', state: 'READY', reason: '' }],
      });
      const stats = await unary(clients.inference, 'ModelStatistics', { name: 'add' }, key);
      expect(stats).toMatchObject({ model_stats: [{ name: 'add', version: '2' }] });
      await unary(clients.inference, 'RepositoryModelUnload', { model_name: 'add' }, key);
    } finally {
      clients.close();
    }
  });
});
