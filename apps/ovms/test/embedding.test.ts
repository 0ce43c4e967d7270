import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { serve } from '@hono/node-server';
import { ServingError } from '@ovms/core';
import { writeFixtureModel } from '@ovms/testing';
import express from 'express';
import fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServer } from '../src/index.js';
import type { ModelServer } from '../src/index.js';
import { createGrpcClients, expectGrpcError, f32Bytes, f32Values, unary } from './support/grpc.js';
import type { GrpcClients } from './support/grpc.js';

// The embedding API: one createModelServer call, used in process, mounted in hono, Express,
// Fastify and node:http servers of the host on ephemeral 127.0.0.1 ports, and added to the
// host's own grpc-js Server.
let root: string;
let server: ModelServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-embedding-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFixtureModel('fixed_shape', 'onnx', join(root, 'fixed', '1'));
  await writeFixtureModel('two_in_two_out', 'onnx', join(root, 'two', '1'));
  server = await createModelServer({
    model_config_list: [
      { config: { name: 'add', base_path: 'add' } },
      { config: { name: 'fixed', base_path: 'fixed', nireq: 2 } },
      { config: { name: 'two', base_path: 'two' } },
    ],
    monitoring: { metrics: { enable: true } },
    baseDir: root,
    pollIntervalMs: 0,
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const body = {
  inputs: [
    { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
    { name: 'b', shape: [1, 4], datatype: 'FP32', data: [10, 20, 30, 40] },
  ],
};
const sum = {
  model_name: 'add',
  model_version: '1',
  outputs: [{ name: 'sum', datatype: 'FP32', shape: [1, 4], data: [11, 22, 33, 44] }],
};

/** POSTs the KServe infer request for `add` under `base` and returns status and body. */
async function inferOverRest(base: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/v2/models/add/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** POSTs JSON to the host's own `/echo` route: its body parser still sees the body. */
async function echoOverHost(base: string): Promise<unknown> {
  const response = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"host":true}',
  });
  return response.json();
}

async function listen(host: Server): Promise<string> {
  host.listen(0, '127.0.0.1');
  await once(host, 'listening');
  return `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
}

async function closeHost(host: Server): Promise<void> {
  host.closeAllConnections();
  await new Promise((resolve) => host.close(resolve));
}

describe('createModelServer', () => {
  it('is ready with every model AVAILABLE', () => {
    const status = server.status();
    expect(status.ready).toBe(true);
    expect(status.repositoryErrors).toEqual([]);
    expect(Object.keys(status.servables)).toEqual(['add', 'fixed', 'two']);
    expect(status.servables['add']).toMatchObject([{ version: 1, state: 'AVAILABLE' }]);
  });

  it('infers in process with typed arrays, shaped or taking the fixed shape of the model', async () => {
    const added = await server.infer('add', {
      a: { data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 4] },
      b: { data: new Float32Array(8).fill(1), shape: [2, 4] },
    });
    expect(added['sum']).toEqual({
      dtype: 'FP32',
      shape: [2, 4],
      data: new Float32Array([2, 3, 4, 5, 6, 7, 8, 9]),
    });
    const fixed = await server.infer('fixed', { x: new Float32Array([10, 20, 30]) });
    expect(fixed['y']).toEqual({
      dtype: 'FP32',
      shape: [1, 3],
      data: new Float32Array([11, 22, 33]),
    });
  });

  it('infers a given version and only the outputs asked for', async () => {
    const pair = { data: new Float32Array([5, 6, 7]), shape: [1, 3] };
    const outputs = await server.infer(
      'two',
      { a: pair, b: pair },
      { version: 1, outputs: ['diff'] },
    );
    expect(outputs).toEqual({
      diff: { dtype: 'FP32', shape: [1, 3], data: new Float32Array([0, 0, 0]) },
    });
  });

  it('refuses an unknown output with INVALID_MISSING_OUTPUT', async () => {
    const pair = { data: new Float32Array(3), shape: [1, 3] };
    await expect(
      server.infer('two', { a: pair, b: pair }, { outputs: ['nope'] }),
    ).rejects.toMatchObject({
      code: 'INVALID_MISSING_OUTPUT',
      message: expect.stringMatching(/^Missing output with specific name - .*nope/) as string,
    });
  });

  it('refuses an unknown model with MODEL_NAME_MISSING', async () => {
    await expect(server.infer('nope', { x: new Float32Array(3) })).rejects.toMatchObject({
      code: 'MODEL_NAME_MISSING',
      message: 'Model with requested name is not found',
    });
  });

  it('refuses an unknown version with MODEL_VERSION_MISSING', async () => {
    await expect(
      server.infer('fixed', { x: new Float32Array(3) }, { version: 9 }),
    ).rejects.toMatchObject({
      code: 'MODEL_VERSION_MISSING',
      message: 'Model with requested version is not found',
    });
  });

  it('refuses a wrong batch and a wrong shape, in OVMS words', async () => {
    await expect(
      server.infer('fixed', { x: { data: new Float32Array(3), shape: [3, 1] } }),
    ).rejects.toMatchObject({
      code: 'INVALID_BATCH_SIZE',
      message: 'Invalid input batch size - Expected: 1; Actual: 3; input name: x',
    });
    await expect(
      server.infer('fixed', { x: { data: new Float32Array(2), shape: [1, 2] } }),
    ).rejects.toMatchObject({
      code: 'INVALID_SHAPE',
      message: 'Invalid input shape - Expected: (1,3); Actual: (1,2); input name: x',
    });
  });

  it('refuses an array of another dtype than the model input with INVALID_PRECISION', async () => {
    await expect(server.infer('fixed', { x: new Int32Array([1, 2, 3]) })).rejects.toMatchObject({
      code: 'INVALID_PRECISION',
      message: expect.stringMatching(
        /^Invalid input precision - Expected: FP32; Actual: INT32/,
      ) as string,
    });
  });

  it('refuses a value that is no tensor with INVALID_ARGUMENT naming the input', async () => {
    await expect(
      server.infer('fixed', { x: { values: [1, 2, 3] } as never }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message:
        'Invalid argument - input x: expected a typed array, an array of strings or { data, shape, dtype? }; got an object',
    });
  });
});

describe('restHandler and restListener', () => {
  it('answers a fetch Request without any port', async () => {
    const response = await server.restHandler(new Request('http://embedded/v2/models/fixed/ready'));
    expect(response.status).toBe(200);
    const metrics = await server.restHandler(new Request('http://embedded/metrics'));
    expect(await metrics.text()).toMatch(/^ovms_requests_success\{/m);
  });

  it('mounts under a path of a hono app', async () => {
    const app = new Hono();
    app.get('/hello', (c) => c.text('host route'));
    app.mount('/ovms', server.restHandler);
    const host = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    try {
      await once(host, 'listening');
      const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      expect(await inferOverRest(`${base}/ovms`)).toEqual({ status: 200, body: sum });
      expect(await (await fetch(`${base}/hello`)).text()).toBe('host route');
    } finally {
      await closeHost(host);
    }
  });

  it('serves a plain node:http server', async () => {
    const host = createServer((request, response) => void server.restListener(request, response));
    try {
      const base = await listen(host);
      expect(await inferOverRest(base)).toEqual({ status: 200, body: sum });
      const unknown = await fetch(`${base}/v2/models/nope/ready`);
      expect({ status: unknown.status, body: await unknown.json() }).toEqual({
        status: 404,
        body: { error: 'Model with requested name is not found' },
      });
    } finally {
      await closeHost(host);
    }
  });

  it('mounts under a path of an Express app, behind its own JSON body parser', async () => {
    const app = express();
    app.use('/ovms', server.restListener);
    app.use(express.json());
    app.post('/echo', (request, response) => void response.json(request.body));
    const host = createServer(app);
    try {
      const base = await listen(host);
      expect(await inferOverRest(`${base}/ovms`)).toEqual({ status: 200, body: sum });
      expect(await echoOverHost(base)).toEqual({ host: true });
    } finally {
      await closeHost(host);
    }
  });

  it('mounts under a path of a Fastify app', async () => {
    const app = fastify();
    await app.register(
      (scope, _options, done) => {
        // The body stays unread for the listener, in this scope only.
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', (_request, _payload, next) => next(null));
        scope.all('/*', async (request, reply) => {
          reply.hijack();
          request.raw.url = request.raw.url?.slice('/ovms'.length) || '/';
          await server.restListener(request.raw, reply.raw);
        });
        done();
      },
      { prefix: '/ovms' },
    );
    app.post('/echo', (request) => request.body);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect(await inferOverRest(`${base}/ovms`)).toEqual({ status: 200, body: sum });
      expect(await echoOverHost(base)).toEqual({ host: true });
    } finally {
      await app.close();
    }
  });
});

describe('grpcServices', () => {
  let host: grpc.Server;
  let clients: GrpcClients;

  beforeAll(async () => {
    host = new grpc.Server();
    for (const { definition, implementation } of server.grpcServices)
      host.addService(definition, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      host.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    clients = createGrpcClients(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    clients?.close();
    await new Promise<void>((resolve) => host?.tryShutdown(() => resolve()));
  });

  it('answers ModelInfer from the host’s own grpc-js Server', async () => {
    const response = await unary(clients.inference, 'ModelInfer', {
      model_name: 'add',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 4] },
        { name: 'b', datatype: 'FP32', shape: [1, 4] },
      ],
      raw_input_contents: [f32Bytes([1, 2, 3, 4]), f32Bytes([4, 3, 2, 1])],
    });
    expect(response['outputs']).toMatchObject([
      { name: 'sum', datatype: 'FP32', shape: ['1', '4'] },
    ]);
    expect(f32Values((response['raw_output_contents'] as unknown[])[0])).toEqual([5, 5, 5, 5]);
  });

  it('answers an unknown model NOT_FOUND', async () => {
    await expectGrpcError(
      unary(clients.inference, 'ModelInfer', { model_name: 'nope', inputs: [] }),
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    );
  });
});

describe('creating and closing', () => {
  it('reads a config.json given as configPath and follows its changes on reload', async () => {
    const configPath = join(root, 'followed', 'config.json');
    const writeModels = async (...names: string[]) => {
      const list = names.map((name) => ({ config: { name, base_path: `../${name}` } }));
      await writeFile(configPath, JSON.stringify({ model_config_list: list }));
    };
    await mkdir(join(root, 'followed'), { recursive: true });
    await writeModels('fixed');
    const fromFile = await createModelServer({
      configPath: 'followed/config.json',
      baseDir: root,
      pollIntervalMs: 0,
    });
    const reload = () =>
      fromFile.restHandler(new Request('http://embedded/v1/config/reload', { method: 'POST' }));
    try {
      const { y } = await fromFile.infer('fixed', { x: new Float32Array([1, 1, 1]) });
      expect(y?.data).toEqual(new Float32Array([2, 3, 4]));
      expect((await reload()).status).toBe(200);
      await writeModels('fixed', 'add');
      expect((await reload()).status).toBe(201);
      const ones = { data: new Float32Array(4).fill(1), shape: [1, 4] };
      const { sum } = await fromFile.infer('add', { a: ones, b: ones });
      expect(sum?.data).toEqual(new Float32Array([2, 2, 2, 2]));
    } finally {
      await fromFile.close();
    }
  });

  it('rejects an invalid config with JSON_INVALID and the JSON path of the problem', async () => {
    await expect(
      createModelServer({
        model_config_list: [{ config: { name: 'add', base_path: 'add', nireq: 'two' as never } }],
        baseDir: root,
      }),
    ).rejects.toMatchObject({
      code: 'JSON_INVALID',
      message: expect.stringContaining('model_config_list[0].config.nireq') as string,
    });
  });

  it('rejects options without a config with CONFIG_FILE_INVALID saying what is missing', async () => {
    await expect(createModelServer({ baseDir: root } as never)).rejects.toMatchObject({
      code: 'CONFIG_FILE_INVALID',
      message:
        'Configuration file is invalid - createModelServer needs model_config_list (the content of a config.json) or configPath',
    });
  });

  it('rejects configPath together with an inline config, naming both', async () => {
    await expect(
      createModelServer({ configPath: 'config.json', model_config_list: [] } as never),
    ).rejects.toMatchObject({
      code: 'CONFIG_FILE_INVALID',
      message:
        'Configuration file is invalid - give configPath or the config inline, not both; got configPath and model_config_list',
    });
  });

  it('reports a model that fails to load in status() and serves the others', async () => {
    const partial = await createModelServer({
      model_config_list: [
        { config: { name: 'fixed', base_path: 'fixed' } },
        { config: { name: 'missing', base_path: 'missing' } },
      ],
      baseDir: root,
      pollIntervalMs: 0,
    });
    try {
      const status = partial.status();
      expect(status.ready).toBe(true);
      expect(status.servables['fixed']).toMatchObject([{ state: 'AVAILABLE' }]);
      expect(status.repositoryErrors).toMatchObject([
        { model: 'missing', message: expect.stringContaining(join(root, 'missing')) as string },
      ]);
    } finally {
      await partial.close();
    }
  });

  it('close() waits for infers in flight, unloads every model and is idempotent', async () => {
    const closing = await createModelServer({
      model_config_list: [{ config: { name: 'fixed', base_path: 'fixed' } }],
      baseDir: root,
      pollIntervalMs: 0,
    });
    const inFlight = closing.infer('fixed', { x: new Float32Array([0, 0, 0]) });
    const [first, second] = [closing.close(), closing.close()];
    expect(second).toBe(first);
    await first;
    expect((await inFlight)['y']?.data).toEqual(new Float32Array([1, 2, 3]));
    expect(closing.status()).toMatchObject({
      ready: false,
      servables: { fixed: [{ state: 'END' }] },
    });
    await expect(closing.infer('fixed', { x: new Float32Array(3) })).rejects.toBeInstanceOf(
      ServingError,
    );
  });
});
