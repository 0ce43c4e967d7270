import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryBudget,
  silentLogger,
  type MemoryBudget,
  type Servable,
  type TensorMap,
} from '@ovms/core';
import { TestServableProvider } from '@ovms/testing';
import { createRestApp, startRestServer, type RestServer } from '../src/index.js';
import { errorOf } from './harness.js';

const X = [{ name: 'x', dtype: 'FP32', shape: [-1] }] as const;

/** A servable whose inference waits for `release()`: requests stay in flight on demand. */
function gatedServable(): { servable: Servable; release: () => void; started: Promise<void> } {
  let release!: () => void;
  let markStarted!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const servable: Servable = {
    name: 'gated',
    version: 1,
    kind: 'model',
    inputs: X,
    outputs: X,
    async infer(request): Promise<TensorMap> {
      markStarted();
      await gate;
      return new Map([['x', request.inputs.get('x')!]]);
    },
  };
  return { servable, release, started };
}

function appWith(budget: MemoryBudget, servables: readonly Servable[]) {
  const provider = new TestServableProvider();
  for (const servable of servables)
    provider.add(servable.name, 1, { state: 'AVAILABLE', servable });
  return createRestApp({
    provider,
    admin: provider,
    serverName: 'n',
    serverVersion: 'v',
    memoryBudget: budget,
    logger: silentLogger,
  });
}

const body = (values: number[]) => JSON.stringify({ instances: values });

let servers: RestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close(0)));
  servers = [];
});

describe('memory admission (REST)', () => {
  it('refuses a body the budget cannot hold with 503, from Content-Length or while streaming', async () => {
    const budget = createMemoryBudget(16);
    const app = appWith(budget, []);
    const declared = await app.request('/v1/models/x:predict', {
      method: 'POST',
      body: body([1, 2, 3, 4, 5, 6]),
      headers: { 'content-length': String(body([1, 2, 3, 4, 5, 6]).length) },
    });
    expect(await errorOf(declared)).toEqual([
      503,
      'Too many requests in queue - memory budget exceeded: requests in flight hold 0 of 16 bytes and this one needs 27 more; retry later or send a smaller request',
    ]);
    const bytes = new TextEncoder().encode(body([1, 2, 3, 4, 5, 6]));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const streamed = await app.request('/v2/models/x/infer', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    });
    expect(await errorOf(streamed)).toEqual([
      503,
      'Too many requests in queue - memory budget exceeded: requests in flight hold 10 of 16 bytes and this one needs 17 more; retry later or send a smaller request',
    ]);
    expect(budget.inUseBytes).toBe(0);
  });

  it('holds a body until its response is written, refusing others meanwhile, then admits again', async () => {
    // The first request holds its body (21 bytes) and its decoded tensor (12): 33 of 80.
    const budget = createMemoryBudget(80);
    const gated = gatedServable();
    const server = await startRestServer({
      app: appWith(budget, [gated.servable]),
      host: '127.0.0.1',
      port: 0,
    });
    servers.push(server);
    const url = `http://127.0.0.1:${server.port}/v1/models/gated:predict`;
    const first = fetch(url, { method: 'POST', body: body([1, 2, 3]) });
    await gated.started;
    expect(budget.inUseBytes).toBe(body([1, 2, 3]).length + 12);
    const refused = await fetch(url, { method: 'POST', body: body([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(refused.status).toBe(503);
    gated.release();
    expect(await (await first).json()).toEqual({ predictions: [1, 2, 3] });
    // The lease goes back when the response is written, which the client has now read.
    await expect.poll(() => budget.inUseBytes).toBe(0);
    const admitted = await fetch(url, { method: 'POST', body: body([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(await admitted.json()).toEqual({ predictions: [1, 2, 3, 4, 5, 6, 7, 8] });
  });

  it('counts decoded JSON tensors too, refusing the request whose tensors pass the budget', async () => {
    const budget = createMemoryBudget(50);
    const app = appWith(budget, [gatedServable().servable]);
    const text = body([1, 2, 3, 4, 5, 6, 7, 8]);
    const response = await app.request('/v1/models/gated:predict', { method: 'POST', body: text });
    expect(await errorOf(response)).toEqual([
      503,
      `Too many requests in queue - memory budget exceeded: requests in flight hold ${text.length} of 50 bytes and this one needs 32 more; retry later or send a smaller request`,
    ]);
    expect(budget.inUseBytes).toBe(0);
  });
});

describe('request guard', () => {
  it('answers a route that rejects with a non-Error with 500 {"error"} and keeps serving', async () => {
    const provider = new TestServableProvider();
    // A servable that fails as careless JS does: rejecting with something that is not an Error.
    const throws: Servable = {
      name: 'throws',
      version: 1,
      kind: 'model',
      inputs: X,
      outputs: X,
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
      infer: () => Promise.reject('a string, not an Error'),
    };
    provider.add('throws', 1, { state: 'AVAILABLE', servable: throws });
    const app = createRestApp({ provider, admin: provider, serverName: 'n', serverVersion: 'v' });
    const response = await app.request('/v1/models/throws:predict', {
      method: 'POST',
      body: body([1]),
    });
    expect(await errorOf(response)).toEqual([500, 'Internal server error']);
    expect((await app.request('/v2/health/live')).status).toBe(200);
  });
});

describe('REST timeouts', () => {
  it('cuts off a client that stalls its body with 408 while other requests are served', async () => {
    const app = appWith(createMemoryBudget(0), []);
    const server = await startRestServer({
      app,
      host: '127.0.0.1',
      port: 0,
      timeouts: { headersMs: 500, requestMs: 500 },
    });
    servers.push(server);
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      'POST /v1/models/x:predict HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{"instances": [',
    );
    const started = performance.now();
    // Normal requests go on while that one stalls.
    for (let i = 0; i < 3; i += 1) {
      expect((await fetch(`http://127.0.0.1:${server.port}/v2/health/live`)).status).toBe(200);
    }
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    // Cut off after the timeout, not long past it (Node checks on a 250 ms timer here).
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const server = await startRestServer({
      app: appWith(createMemoryBudget(0), []),
      host: '127.0.0.1',
      port: 0,
      timeouts: { headersMs: 300, requestMs: 300 },
    });
    servers.push(server);
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /v2/health/live HTTP/1.1\r\nHost: a\r\n');
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });
});
