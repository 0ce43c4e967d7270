import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import {
  createMemoryBudget,
  type Logger,
  type Servable,
  type TensorMap,
  silentLogger,
} from '@ovms/core';
import { createRecordingLogger, TestServableProvider } from '@ovms/testing';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestApp, startRestLoops, type RunningRestLoops } from '../src/index.js';

// `--rest_workers` > 1: worker threads accept and read requests, this thread's app answers
// them, responses stream back (docs/performance.md "Transport loops").
const X = [{ name: 'x', dtype: 'FP32', shape: [-1] }] as const;
const identity: Servable = {
  name: 'identity',
  version: 1,
  kind: 'model',
  inputs: X,
  outputs: X,
  infer: (request): Promise<TensorMap> =>
    Promise.resolve(new Map([['x', request.inputs.get('x')!]])),
};

/** A model whose calls wait until cancelled, reporting each cancellation. */
const held = (() => {
  let cancelled = 0;
  const servable: Servable = {
    ...identity,
    name: 'held',
    infer: (request) =>
      new Promise<TensorMap>((_resolve, reject) => {
        request.signal?.addEventListener('abort', () => {
          cancelled += 1;
          reject(new Error('cancelled'));
        });
      }),
  };
  return { servable, cancelled: () => cancelled };
})();

/** A `/v3/events` stream that sends one event, then the second once `next()` is called. */
function eventStream() {
  let next!: () => void;
  const gate = new Promise<void>((resolve) => (next = resolve));
  let cancelled = false;
  const app = new Hono();
  app.get('/events', () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('data: 1\n\n'));
        await gate;
        if (cancelled) return;
        controller.enqueue(encoder.encode('data: 2\n\n'));
        controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  });
  return { app, next, cancelled: () => cancelled };
}

let running: RunningRestLoops[] = [];
afterEach(async () => {
  await Promise.all(running.map((loops) => loops.close(0)));
  running = [];
});

async function start(options: {
  maxBodyBytes?: number;
  budget?: number;
  mounts?: { prefix: string; app: Hono }[];
  logger?: Logger;
}) {
  const provider = new TestServableProvider();
  provider.add('identity', 1, { state: 'AVAILABLE', servable: identity });
  provider.add('held', 1, { state: 'AVAILABLE', servable: held.servable });
  const buffer = new SharedArrayBuffer(8);
  const memoryBudget = createMemoryBudget(options.budget ?? 0, buffer);
  const app = createRestApp({
    provider,
    admin: provider,
    serverName: 'n',
    serverVersion: 'v',
    memoryBudget,
    logger: silentLogger,
    ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
    ...(options.mounts !== undefined && { mounts: options.mounts }),
  });
  const loops = await startRestLoops({
    app,
    host: '127.0.0.1',
    port: 0,
    loops: 2,
    memoryBudget: { buffer, limitBytes: options.budget ?? 0 },
    logger: options.logger ?? silentLogger,
    ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
  });
  running.push(loops);
  return { loops, memoryBudget, provider, app, url: `http://127.0.0.1:${loops.port}` };
}

/** One request on a connection of its own (as separate clients have): status and body. */
function once(
  port: number,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const predict = JSON.stringify({ instances: [1, 2, 3] });

describe('REST transport loops', () => {
  it('spreads connections over every loop and answers each request with the app of this thread', async () => {
    const { loops } = await start({});
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => once(loops.port, '/v1/models/identity:predict', predict)),
    );
    for (const answer of answers) {
      expect(answer).toEqual({ status: 200, body: '{"predictions":[1,2,3]}' });
    }
    expect(loops.requests().every((requests) => requests > 0)).toBe(true);
    expect(loops.requests().reduce((sum, requests) => sum + requests, 0)).toBe(40);
    expect(await once(loops.port, '/v2/models/identity/ready')).toEqual({ status: 200, body: '' });
  });

  it('routes by the request path whatever the Host header says', async () => {
    const { loops } = await start({});
    const socket = connect(loops.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Not `end()`: Node aborts the requests of a client that half-closes (no allowHalfOpen).
    socket.write(
      'GET /v2/models/identity/ready HTTP/1.1\r\nHost: a/v1/config?x\r\nConnection: close\r\n\r\n',
    );
    await closed;
    // Readiness answers an empty body; `/v1/config` (what the Host header points at) would not.
    const [head, body] = received.split('\r\n\r\n');
    expect(head?.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(body).toBe('');
  });

  it('streams a response chunk by chunk and cancels it when the client goes away', async () => {
    const events = eventStream();
    const { url } = await start({ mounts: [{ prefix: '/v3', app: events.app }] });
    const response = await fetch(`${url}/v3/events`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    // The first event arrives while the second is not even written yet.
    expect(decoder.decode((await reader.read()).value)).toBe('data: 1\n\n');
    events.next();
    expect(decoder.decode((await reader.read()).value)).toBe('data: 2\n\n');
    expect((await reader.read()).done).toBe(true);

    const second = eventStream();
    const other = await start({ mounts: [{ prefix: '/v3', app: second.app }] });
    const aborted = new AbortController();
    const open = await fetch(`${other.url}/v3/events`, { signal: aborted.signal });
    const openReader = (open.body as ReadableStream<Uint8Array>).getReader();
    expect(decoder.decode((await openReader.read()).value)).toBe('data: 1\n\n');
    aborted.abort();
    await expect.poll(() => second.cancelled()).toBe(true);
  });

  it('refuses a body over the size limit with 413 in the loop, the app answering the refusal as it would its own', async () => {
    const { loops } = await start({ maxBodyBytes: 10 });
    expect(await once(loops.port, '/v1/models/identity:predict', predict)).toEqual({
      status: 413,
      body: '{"error": "Request body is too large - the limit is 10 bytes; received Content-Length 21"}',
    });
    // Forwarded without its body, so that the route (after CORS and the key) answers it.
    expect(loops.requests().reduce((sum, requests) => sum + requests, 0)).toBe(1);
  });

  it('counts bodies against the shared memory budget in the loop: 503 over it, all given back', async () => {
    const { loops, memoryBudget } = await start({ budget: 16 });
    expect(await once(loops.port, '/v1/models/identity:predict', predict)).toEqual({
      status: 503,
      body: '{"error": "Too many requests in queue - memory budget exceeded: requests in flight hold 0 of 16 bytes and this one needs 21 more; retry later or send a smaller request"}',
    });
    expect(loops.requests().reduce((sum, requests) => sum + requests, 0)).toBe(1);
    expect(memoryBudget.inUseBytes).toBe(0);
  });

  it('decodes and encodes KServe infers in the loop, this thread running only the model call', async () => {
    const logger = createRecordingLogger();
    const { loops, memoryBudget } = await start({ logger, budget: 1e6 });
    const infer = JSON.stringify({
      id: 'r',
      inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [1, 2, 3] }],
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => once(loops.port, '/v2/models/identity/infer', infer)),
    );
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 200,
        body: '{"model_name":"identity","model_version":"1","id":"r","outputs":[{"name":"x","datatype":"FP32","shape":[3],"data":[1,2,3]}]}',
      });
    }
    expect(await once(loops.port, '/v2/models/nope/infer', '{')).toEqual({
      status: 404,
      body: '{"error": "Model with requested name is not found"}',
    });
    await expect.poll(() => memoryBudget.inUseBytes).toBe(0);
    await loops.close(1_000);
    const decoded = logger.records
      .filter((record) => record.msg === 'REST transport loop stopped')
      .map((record) => (record.fields as { decoded: number }).decoded);
    expect(decoded.reduce((sum, count) => sum + count, 0)).toBe(21);
  });

  it('decodes TF Serving predicts in the loop with the specs of the model it runs', async () => {
    const logger = createRecordingLogger();
    const { loops, provider, app } = await start({ logger });
    const half = JSON.stringify({ instances: [1.5] });
    expect(await once(loops.port, '/v1/models/identity:predict', half)).toEqual({
      status: 200,
      body: '{"predictions":[1.5]}',
    });
    // The same version reloaded with other specs: 1.5 is no INT32. The loop's cached FP32 specs
    // are stale; the main thread says so and the request goes whole to the app, which decodes
    // it with the specs it has.
    const int32 = [{ name: 'x', dtype: 'INT32', shape: [-1] }] as const;
    provider.add('identity', 1, {
      state: 'AVAILABLE',
      servable: { ...identity, inputs: int32, outputs: int32 },
    });
    const expected = await app.request('/v1/models/identity:predict', {
      method: 'POST',
      body: half,
    });
    expect(expected.status).toBe(400);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => once(loops.port, '/v1/models/identity:predict', half)),
    );
    for (const answer of answers) {
      expect(answer).toEqual({ status: 400, body: await expected.clone().text() });
    }
    expect(await once(loops.port, '/v1/models/nope:predict', half)).toEqual({
      status: 404,
      body: '{"error": "Model with requested name is not found"}',
    });
    await loops.close(1_000);
    const decoded = logger.records
      .filter((record) => record.msg === 'REST transport loop stopped')
      .map((record) => (record.fields as { decoded: number }).decoded);
    // Each predict but the unknown model's (its specs lookup fails: sent whole) was decoded
    // here once, stale ones included.
    expect(decoded.reduce((sum, count) => sum + count, 0)).toBe(7);
  });

  it('cancels the model call of a decoded infer whose client goes away', async () => {
    const { loops } = await start({});
    const before = held.cancelled();
    const req = httpRequest({
      host: '127.0.0.1',
      port: loops.port,
      path: '/v2/models/held/infer',
      method: 'POST',
      agent: false,
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }));
    await expect.poll(() => loops.requests().reduce((sum, requests) => sum + requests, 0)).toBe(1);
    req.destroy();
    await expect.poll(() => held.cancelled()).toBe(before + 1);
  });

  it('logs and replaces a loop that ends, which then serves again', async () => {
    const logger = createRecordingLogger();
    const { loops } = await start({ logger });
    await loops.endLoop(0);
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: { loop: 0, err: undefined },
        msg: 'REST transport loop ended unexpectedly; starting a new one',
      }),
    );
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => once(loops.port, '/v1/models/identity:predict', predict)),
    );
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
    expect(loops.requests().every((requests) => requests > 0)).toBe(true);
    await loops.close(1_000);
    expect(
      logger.records.filter((record) => record.msg === 'REST transport loop stopped'),
    ).toHaveLength(2);
  });

  it('fails to start with the bind error when the port is taken by a server without reusePort', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(
        startRestLoops({
          app: new Hono(),
          host: '127.0.0.1',
          port,
          loops: 2,
          memoryBudget: { buffer: new SharedArrayBuffer(8), limitBytes: 0 },
          logger: silentLogger,
        }),
      ).rejects.toThrow(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });
});
