import { ServingError, StatusCode, silentLogger } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServableProvider } from '@ovms/testing';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { createRestApp, startRestServer } from '../src/index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    maxBodyBytes: 1024,
    metricsText: () =>
      Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'ovms_streams 1\n' }),
  });
});
afterAll(async () => {
  await server.close();
});

/** Node's fetch needs `duplex: 'half'` to stream a request body. */
const call = (path: string, method = 'GET', body?: RequestInit['body']) => {
  const init: RequestInit & { duplex?: 'half' } = { method };
  if (body !== undefined) {
    init.body = body;
    init.duplex = 'half';
  }
  return fetch(`${server.url}${path}`, init);
};

const entry = (version: number, state = 'AVAILABLE') =>
  `  {\n   "version": "${version}",\n   "state": "${state}",\n   "status": {\n    "error_code": "OK",\n    "error_message": "OK"\n   }\n  }`;
const model = (name: string, ...entries: string[]) =>
  `"${name}" : \n{\n "model_version_status": [\n${entries.join(',\n')}\n ]\n}`;
const CONFIG_VIEW = `{\n${[
  model('add-f32.v1', entry(1), entry(2), entry(3, 'LOADING')),
  model('broken', entry(1)),
  model('dyn', entry(1)),
  model('echo', entry(1)),
  model('i64', entry(1)),
  model('loading', entry(1, 'LOADING')),
  model('two', entry(1)),
].join(',\n')}\n}`;

describe('/v1/config and /v1/config/reload', () => {
  it('lists every servable by name, framed as OVMS frames it', async () => {
    const response = await call('/v1/config');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CONFIG_VIEW);
  });

  it('answers a reload with 200 when nothing changed and 201 when something did', async () => {
    server.provider.reloadOutcome = false;
    const same = await call('/v1/config/reload', 'POST');
    expect([same.status, await same.text()]).toEqual([200, CONFIG_VIEW]);
    server.provider.reloadOutcome = true;
    const changed = await call('/v1/config/reload', 'POST');
    expect([changed.status, await changed.text()]).toEqual([201, CONFIG_VIEW]);
  });

  it('answers a broken config with its status and OVMS message', async () => {
    server.provider.reloadOutcome = new ServingError(
      StatusCode.JSON_INVALID,
      'line 1: unexpected }',
    );
    expect(await errorOf(await call('/v1/config/reload', 'POST'))).toEqual([
      412,
      'Reloading config file failed. Check server logs for more info. - The file is not valid json - line 1: unexpected }',
    ]);
    server.provider.reloadOutcome = new Error('disk on fire');
    expect(await errorOf(await call('/v1/config/reload', 'POST'))).toEqual([
      500,
      'Reloading config file failed. Check server logs for more info. - Internal server error',
    ]);
    server.provider.reloadOutcome = false;
  });

  it('prints {} when nothing is configured', async () => {
    const app = createRestApp({
      provider: new TestServableProvider(),
      admin: new TestServableProvider(),
      serverName: 'n',
      serverVersion: 'v',
    });
    const response = await app.request('/v1/config');
    expect(await response.text()).toBe('{}');
  });
});

describe('/metrics and request metrics', () => {
  it('serves the exposition text when metrics are enabled, 404 when not', async () => {
    const enabled = await call('/metrics');
    expect(enabled.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await enabled.text()).toBe('ovms_streams 1\n');
    const app = createRestApp({
      provider: new TestServableProvider(),
      admin: new TestServableProvider(),
      serverName: 'n',
      serverVersion: 'v',
    });
    expect(await errorOf(await app.request('/metrics'))).toEqual([
      404,
      'Requested REST resource not found - metrics are not enabled',
    ]);
  });

  it('reports each call naming a model, with api, method, version and outcome', async () => {
    server.records.length = 0;
    const body = '{"inputs": {"a": [[1,1,1,1]], "b": [[1,1,1,1]]}}';
    await call('/v1/models/add-f32.v1:predict', 'POST', body);
    await call('/v1/models/nope:predict', 'POST', body);
    await call('/v2/models/add-f32.v1/versions/1/ready');
    await call('/v2/health/live');
    expect(
      server.records.map(({ durationUs, ...rest }) => ({ ...rest, timed: durationUs >= 0 })),
    ).toEqual([
      {
        api: 'TensorFlowServing',
        interface: 'REST',
        method: 'Predict',
        name: 'add-f32.v1',
        version: 2,
        ok: true,
        timed: true,
      },
      {
        api: 'TensorFlowServing',
        interface: 'REST',
        method: 'Predict',
        name: 'nope',
        version: undefined,
        ok: false,
        timed: true,
      },
      {
        api: 'KServe',
        interface: 'REST',
        method: 'ModelReady',
        name: 'add-f32.v1',
        version: 1,
        ok: true,
        timed: true,
      },
    ]);
  });
});

describe('paths, methods and body limits', () => {
  it('answers unknown paths with 404 and known paths with another method with 405', async () => {
    for (const path of ['/v3/models', '/v1/modelz', '/v2/health/other', '/', '/v2/']) {
      expect(await errorOf(await call(path))).toEqual([
        404,
        `Requested REST resource not found - GET ${path}`,
      ]);
    }
    for (const [path, method] of [
      ['/v1/config', 'DELETE'],
      ['/v1/config/reload', 'GET'],
      ['/v2/health/live', 'PUT'],
      ['/v2', 'POST'],
      ['/metrics', 'POST'],
    ] as const) {
      expect(await errorOf(await call(path, method))).toEqual([
        405,
        `Unsupported method - ${method} ${path}`,
      ]);
    }
  });

  it('refuses a body over the limit with 413, by Content-Length or while streaming', async () => {
    const big = `{"inputs": {"a": [[${'1,'.repeat(600)}1]]}}`;
    expect(await errorOf(await call('/v1/models/add-f32.v1:predict', 'POST', big))).toEqual([
      413,
      `Request body is too large - the limit is 1024 bytes; received Content-Length ${big.length}`,
    ]);
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 700));
        controller.enqueue(bytes.subarray(700));
        controller.close();
      },
    });
    expect(await errorOf(await call('/v2/models/add-f32.v1/infer', 'POST', stream))).toEqual([
      413,
      'Request body is too large - the limit is 1024 bytes; received more than 1024 bytes',
    ]);
    // The connection still serves the next request.
    expect((await call('/v2/health/live')).status).toBe(200);
  });

  it('reads bodies from a web stream when not served by node (app.request)', async () => {
    const provider = new TestServableProvider();
    const app = createRestApp({
      provider,
      admin: provider,
      serverName: 'n',
      serverVersion: 'v',
      maxBodyBytes: 8,
      logger: silentLogger,
    });
    const response = await app.request('/v1/models/x:predict', {
      method: 'POST',
      body: '{"inputs": [1, 2, 3]}',
    });
    expect(await errorOf(response)).toEqual([
      413,
      'Request body is too large - the limit is 8 bytes; received more than 8 bytes',
    ]);
    const small = await app.request('/v1/models/x:predict', { method: 'POST', body: '{}' });
    expect(await errorOf(small)).toEqual([404, 'Model with requested name is not found']);
  });
});

describe('startRestServer', () => {
  it('binds port 0 to a free port, refuses a taken one and closes', async () => {
    const provider = new TestServableProvider();
    const app = createRestApp({ provider, admin: provider, serverName: 'n', serverVersion: 'v' });
    const first = await startRestServer({ app, host: '127.0.0.1', port: 0 });
    expect(first.port).toBeGreaterThan(0);
    await expect(startRestServer({ app, host: '127.0.0.1', port: first.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
    await first.close(100);
    await expect(fetch(`http://127.0.0.1:${first.port}/v2/health/live`)).rejects.toThrow();
  });
});
