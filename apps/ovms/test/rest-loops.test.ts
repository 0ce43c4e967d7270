import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlArgs, writeControlRepository } from './support/control-repository.js';
import { loopCounts, loopRequests } from './support/loop-log.js';
import { startGrpcServerProcess, startReadyServer } from './support/server-process.js';
import { httpsRequest, readClientTls, writeTestPki } from './support/tls.js';
import type { GrpcServerProcess } from './support/server-process.js';

// `--rest_workers 2` on the real `ovms` binary: connections spread over two REST transport
// loops, every request reaches the one model instance of the main thread and answers as one
// loop does (KServe infers decoded and encoded in the loops, only the model call in the main
// thread; every other request forwarded whole); an unload and SIGTERM under load fail no
// admitted request (docs/performance.md "Transport loops").
const LOOPS = 2;
const API_KEY = 'loops-key';
const MAX_BODY = 4096;
const A = [1, 2, 3, 4];
const SUM = A.map((a) => a + a);

let root: string;
let keyDir: string;
let looped: GrpcServerProcess;
let single: GrpcServerProcess;

interface Answer {
  readonly status: number;
  /** The headers a client reads besides the length (the date and connection differ). */
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** Headers that differ between any two answers, whoever sends them. */
const PER_CONNECTION = new Set(['date', 'connection', 'keep-alive']);

/**
 * One request on a connection of its own, as curl sends it: separate clients' connections are
 * what the kernel spreads over the loops.
 */
function curl(
  server: GrpcServerProcess,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const [host, port] = server.restAddress.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host,
        port: Number(port),
        path,
        method,
        agent: false,
        headers: { authorization: `Bearer ${API_KEY}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).filter(([name]) => !PER_CONNECTION.has(name)),
            ),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = (answer: Answer): unknown => JSON.parse(answer.body.toString('utf8'));
const kserveAdd = () =>
  JSON.stringify({
    inputs: ['a', 'b'].map((name) => ({ name, shape: [1, 4], datatype: 'FP32', data: A })),
  });
const inferPath = (version: string) =>
  version === '' ? '/v2/models/add/infer' : `/v2/models/add/versions/${version}/infer`;

/** The KServe binary data extension: a JSON header, then the raw bytes of each input. */
function binaryRequest(): { body: Buffer; headers: Record<string, string> } {
  const header = JSON.stringify({
    inputs: ['a', 'b'].map((name) => ({
      name,
      shape: [1, 4],
      datatype: 'FP32',
      parameters: { binary_data_size: 16 },
    })),
    outputs: [{ name: 'sum', parameters: { binary_data: true } }],
  });
  const raw = Buffer.from(new Float32Array(A).buffer);
  return {
    body: Buffer.concat([Buffer.from(header), raw, raw]),
    headers: { 'inference-header-content-length': String(Buffer.byteLength(header)) },
  };
}

beforeAll(async () => {
  root = await writeControlRepository();
  keyDir = await mkdtemp(join(tmpdir(), 'ovms-loops-key-'));
  const keyFile = join(keyDir, 'key');
  await writeFile(keyFile, API_KEY);
  const args = [
    ...controlArgs(root, 'explicit'),
    ...['--api_key_file', keyFile, '--max_message_bytes', String(MAX_BODY), '--metrics_enable'],
  ];
  [looped, single] = await Promise.all([
    startReadyServer([...args, '--rest_workers', String(LOOPS)]),
    startReadyServer(args),
  ]);
  for (const server of [looped, single]) {
    for (const model of ['add', 'fixed']) {
      const loaded = await curl(server, 'POST', `/v2/repository/models/${model}/load`);
      expect(loaded.status, server.output()).toBe(200);
    }
  }
}, 180_000);
afterAll(async () => {
  await Promise.all([looped?.stop(), single?.stop()]);
  for (const dir of [root, keyDir])
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('REST transport loops (--rest_workers 2)', () => {
  it('answers KServe JSON, KServe binary and TFS row and column infers as one loop does', async () => {
    const binary = binaryRequest();
    const requests: [string, string, string | Buffer, Record<string, string>][] = [
      ['POST', inferPath('2'), kserveAdd(), {}],
      ['POST', inferPath('2'), binary.body, binary.headers],
      ['POST', '/v1/models/fixed:predict', JSON.stringify({ instances: [[1, 2, 3]] }), {}],
      ['POST', '/v1/models/fixed:predict', JSON.stringify({ inputs: { x: [[1, 2, 3]] } }), {}],
      ['GET', '/v2/models/add', '', {}],
      ['GET', '/v1/models/fixed/metadata', '', {}],
    ];
    for (const [method, path, body, headers] of requests) {
      const sent = method === 'GET' ? undefined : body;
      const [fromLoops, fromOne] = await Promise.all([
        curl(looped, method, path, sent, headers),
        curl(single, method, path, sent, headers),
      ]);
      expect(fromOne.status, `${method} ${path}`).toBe(200);
      expect(fromLoops, `${method} ${path}`).toEqual(fromOne);
    }
    const kserve = await curl(looped, 'POST', inferPath('2'), kserveAdd());
    expect(json(kserve)).toMatchObject({ outputs: [{ name: 'sum', data: SUM }] });
  });

  it('answers failing infers as one loop does: bad inputs, unknown model or version, wrong dtype, over-limit', async () => {
    const input = (name: string, datatype: string, shape: number[], data: unknown) => ({
      name,
      shape,
      datatype,
      data,
    });
    const infer = (...inputs: unknown[]) => JSON.stringify({ inputs });
    const a = input('a', 'FP32', [1, 4], A);
    const binary = binaryRequest();
    const cases: [string, string | Buffer, Record<string, string>, number][] = [
      // Decoding fails in the loop.
      [inferPath('2'), '{"inputs": [', {}, 400],
      [inferPath('2'), '{}', {}, 400],
      [inferPath('2'), infer(a, input('b', 'FP32', [1, 4], [1, 2, 3])), {}, 400],
      [inferPath('2'), infer(a, input('b', 'FP99', [1, 4], A)), {}, 400],
      [inferPath('2'), binary.body, { 'inference-header-content-length': '9999' }, 400],
      [inferPath('2'), binary.body.subarray(0, 40), binary.headers, 400],
      // The model decides in the main thread.
      [inferPath('2'), infer(a, input('c', 'FP32', [1, 4], A)), {}, 400],
      [inferPath('2'), infer(a, input('b', 'INT32', [1, 4], A)), {}, 400],
      [inferPath('2'), infer(a, input('b', 'FP32', [1, 2, 2], A)), {}, 400],
      [inferPath('2'), infer(a), {}, 400],
      [
        inferPath('2'),
        JSON.stringify({ inputs: [a, { ...a, name: 'b' }], outputs: [{ name: 'nope' }] }),
        {},
        400,
      ],
      // The lookup first, whatever the body (OVMS's order).
      ['/v2/models/nope/infer', kserveAdd(), {}, 404],
      ['/v2/models/nope/infer', '{"inputs": [', {}, 404],
      [inferPath('9'), kserveAdd(), {}, 404],
      [inferPath('9'), '{}', {}, 404],
      // Forwarded whole: a raw input, a header that is not a length, a version out of range.
      [inferPath('2'), Buffer.alloc(32), { 'inference-header-content-length': '0' }, 400],
      [inferPath('2'), kserveAdd(), { 'inference-header-content-length': 'x' }, 400],
      [inferPath('99999999999999999999'), kserveAdd(), {}, 404],
      ['/v2/models/ad%64/infer', kserveAdd(), {}, 200],
      // Over the body limit, and a JSON header beyond the body.
      [inferPath('2'), Buffer.alloc(MAX_BODY + 1, 0x20), {}, 413],
      [inferPath('2'), kserveAdd(), { 'inference-header-content-length': '100000' }, 400],
    ];
    const statuses: number[] = [];
    for (const [path, body, headers] of cases) {
      const [fromLoops, fromOne] = await Promise.all([
        curl(looped, 'POST', path, body, headers),
        curl(single, 'POST', path, body, headers),
      ]);
      expect(fromLoops, `${path} ${String(body).slice(0, 60)}`).toEqual(fromOne);
      statuses.push(fromLoops.status);
    }
    expect(statuses).toEqual(cases.map(([, , , status]) => status));
  });

  it('answers failing TF Serving predicts as one loop does', async () => {
    const cases: [string, string, number][] = [
      ['/v1/models/fixed:predict', '{"instances": [', 400],
      ['/v1/models/fixed:predict', '{}', 400],
      ['/v1/models/fixed:predict', JSON.stringify({ instances: [['a', 'b', 'c']] }), 400],
      ['/v1/models/fixed:predict', JSON.stringify({ instances: [[1, 2]] }), 400],
      ['/v1/models/fixed:predict', JSON.stringify({ inputs: { z: [[1, 2, 3]] } }), 400],
      ['/v1/models/fixed:predict', JSON.stringify({ instances: [[1, 2, 3]], inputs: {} }), 400],
      ['/v1/models/nope:predict', JSON.stringify({ instances: [[1, 2, 3]] }), 404],
      ['/v1/models/nope:predict', '{', 404],
      ['/v1/models/fixed/versions/9:predict', JSON.stringify({ instances: [[1, 2, 3]] }), 404],
      ['/v1/models/fixed/versions/1:predict', JSON.stringify({ instances: [[1, 2, 3]] }), 200],
      ['/v1/models/fixed:predict', 'x'.repeat(MAX_BODY + 1), 413],
    ];
    const statuses: number[] = [];
    for (const [path, body] of cases) {
      const [fromLoops, fromOne] = await Promise.all([
        curl(looped, 'POST', path, body),
        curl(single, 'POST', path, body),
      ]);
      expect(fromLoops, `${path} ${body.slice(0, 60)}`).toEqual(fromOne);
      statuses.push(fromLoops.status);
    }
    expect(statuses).toEqual(cases.map(([, , status]) => status));
  });

  it('answers CORS and the API key on decoded infers as one loop does', async () => {
    const origin = { origin: 'https://page.example' };
    const cases: [string, Record<string, string>][] = [
      ['POST', origin],
      ['POST', { ...origin, authorization: 'Bearer wrong' }],
      ['POST', { ...origin, authorization: '' }],
      // The scheme is case-insensitive (RFC 9110), in the loop as in the app.
      ['POST', { ...origin, authorization: `bearer ${API_KEY}` }],
      ['OPTIONS', { ...origin, 'access-control-request-method': 'POST' }],
    ];
    const statuses: number[] = [];
    for (const [method, headers] of cases) {
      const body = method === 'POST' ? kserveAdd() : undefined;
      const [fromLoops, fromOne] = await Promise.all([
        curl(looped, method, inferPath('2'), body, headers),
        curl(single, method, inferPath('2'), body, headers),
      ]);
      expect(fromLoops, `${method} ${JSON.stringify(headers)}`).toEqual(fromOne);
      statuses.push(fromLoops.status);
    }
    expect(statuses).toEqual([200, 401, 401, 200, 204]);
  });

  it('infers whose clients go away leave the server answering as one loop does', async () => {
    const cut = Array.from(
      { length: 40 },
      () =>
        new Promise<void>((resolve) => {
          const [hostName, port] = looped.restAddress.split(':');
          const req = httpRequest({
            host: hostName,
            port: Number(port),
            path: inferPath('2'),
            method: 'POST',
            agent: false,
            headers: { authorization: `Bearer ${API_KEY}` },
          });
          req.on('error', () => resolve());
          req.on('close', () => resolve());
          // The whole body sent, then the connection cut before the answer is read.
          req.end(kserveAdd(), () => req.destroy());
        }),
    );
    await Promise.all(cut);
    const [fromLoops, fromOne] = await Promise.all([
      curl(looped, 'POST', inferPath('2'), kserveAdd()),
      curl(single, 'POST', inferPath('2'), kserveAdd()),
    ]);
    expect(fromOne.status).toBe(200);
    expect(fromLoops).toEqual(fromOne);
  });

  it('serves metrics and model control through a loop, and refuses a large body (413) and a missing key (401) as one loop does', async () => {
    const metrics = await curl(looped, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.toString()).toContain('ovms_requests_success');
    const refusals: [string, string, string | undefined, Record<string, string>][] = [
      ['POST', inferPath('2'), 'x'.repeat(MAX_BODY + 1), {}],
      ['POST', inferPath('2'), kserveAdd(), { authorization: 'Bearer wrong' }],
      ['GET', '/v2/models/add', undefined, { authorization: '' }],
      ['POST', '/v2/repository/models/nope/load', undefined, {}],
    ];
    const statuses: number[] = [];
    for (const [method, path, body, headers] of refusals) {
      const [fromLoops, fromOne] = await Promise.all([
        curl(looped, method, path, body, headers),
        curl(single, method, path, body, headers),
      ]);
      expect(fromLoops, `${method} ${path}`).toEqual(fromOne);
      statuses.push(fromLoops.status);
    }
    expect(statuses).toEqual([413, 401, 401, 404]);
  });

  it('an unload under load across loops fails no admitted request', async () => {
    let stopping = false;
    let served = 0;
    const failures: string[] = [];
    const clients = Array.from({ length: 8 }, async () => {
      while (!stopping) {
        const answer = await curl(looped, 'POST', inferPath(''), kserveAdd());
        if (answer.status === 200) {
          expect(json(answer)).toMatchObject({ outputs: [{ data: SUM }] });
          served += 1;
        } else {
          failures.push(`${answer.status} ${answer.body.toString()}`);
        }
      }
    });
    try {
      await expect.poll(() => served, { timeout: 30_000 }).toBeGreaterThan(40);
      const unloaded = await curl(looped, 'POST', '/v2/repository/models/add/unload');
      expect(unloaded.status).toBe(200);
      await expect.poll(() => failures.length, { timeout: 30_000 }).toBeGreaterThan(8);
    } finally {
      stopping = true;
      await Promise.all(clients);
    }
    // Refused before a lease (the model is UNLOADING or gone), never failed once admitted.
    expect(new Set(failures)).toEqual(
      new Set(['404 {"error": "Model with requested version is not found"}']),
    );
  }, 120_000);

  it('spreads connections over every loop, all reaching one model instance; SIGTERM under load answers every admitted request', async () => {
    expect((await curl(looped, 'POST', '/v2/repository/models/add/load')).status).toBe(200);
    const inferences = async (): Promise<number> => {
      const stats = json(await curl(looped, 'GET', '/v2/models/add/versions/2/stats')) as {
        model_stats: { inference_count: number }[];
      };
      return stats.model_stats[0]?.inference_count ?? Number.NaN;
    };
    const before = await inferences();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 10; i += 1) {
          const answer = await curl(looped, 'POST', inferPath('2'), kserveAdd());
          expect(json(answer)).toMatchObject({ outputs: [{ data: SUM }] });
        }
      }),
    );
    // One model instance, in the main thread, counted every inference of both loops.
    expect((await inferences()) - before).toBe(160);

    let stopping = false;
    let served = 0;
    const answered: number[] = [];
    const refused: string[] = [];
    const clients = Array.from({ length: 8 }, async () => {
      while (!stopping) {
        try {
          const answer = await curl(looped, 'POST', inferPath('2'), kserveAdd());
          answered.push(answer.status);
          served += 1;
        } catch (error) {
          // Refused at the door: no loop accepting any more.
          refused.push((error as NodeJS.ErrnoException).code ?? String(error));
        }
      }
    });
    await expect.poll(() => served, { timeout: 30_000 }).toBeGreaterThan(100);
    await looped.stop();
    stopping = true;
    await Promise.all(clients);
    // Every request a loop took was answered by the model, none cut or failed by the stop.
    expect(new Set(answered)).toEqual(new Set([200]));
    expect(refused.filter((code) => code !== 'ECONNREFUSED' && code !== 'ECONNRESET')).toEqual([]);
    const perLoop = loopRequests(looped.output(), 'REST');
    expect(perLoop).toHaveLength(LOOPS);
    expect(perLoop.every((requests) => requests > 0)).toBe(true);
    // KServe infers (and TF Serving predicts) were decoded in the loops: every loop sent model
    // calls, not whole requests.
    const decoded = loopCounts(looped.output(), 'REST', 'decoded');
    expect(decoded.every((count) => count > 0)).toBe(true);
    expect(decoded.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(160);
    // Health probes of the start go through the loops too: at least every request seen here.
    expect(perLoop.reduce((sum, requests) => sum + requests, 0)).toBeGreaterThanOrEqual(
      160 + answered.length,
    );
    expect(looped.output()).toContain('"msg":"Server stopped"');
  }, 120_000);
});

describe('REST transport loops with mutual TLS', () => {
  it('serves HTTPS in every loop and refuses a client without a certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ovms-loops-tls-'));
    let secure: GrpcServerProcess | undefined;
    try {
      const pki = await writeTestPki(dir);
      secure = await startGrpcServerProcess(
        [
          ...controlArgs(root, 'explicit'),
          ...['--tls_cert', pki.serverCert, '--tls_key', pki.serverKey],
          ...['--tls_client_ca', pki.caCert, '--rest_workers', String(LOOPS)],
        ],
        {},
      );
      const server = secure;
      // Readiness from the log: the health probe would need TLS.
      await expect
        .poll(() => server.exited() || server.output().includes('"msg":"Server ready"'), {
          timeout: 120_000,
        })
        .toBe(true);
      const client = await readClientTls(pki.caCert, { cert: pki.clientCert, key: pki.clientKey });
      const url = `https://${server.restAddress}`;
      const loaded = await httpsRequest(`${url}/v2/repository/models/add/load`, client, {
        method: 'POST',
      });
      expect(loaded.status).toBe(200);
      // A handshake per request (no agent reuse): connections land on both loops.
      const answers = await Promise.all(
        Array.from({ length: 16 }, () =>
          httpsRequest(`${url}${inferPath('2')}`, client, { method: 'POST', body: kserveAdd() }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ outputs: [{ data: SUM }] });
      }
      await expect(
        httpsRequest(`${url}/v2/models/add`, await readClientTls(pki.caCert)),
      ).rejects.toThrow();
      await server.stop();
      const perLoop = loopRequests(server.output(), 'REST');
      expect(perLoop).toHaveLength(LOOPS);
      expect(perLoop.every((requests) => requests > 0)).toBe(true);
      expect(perLoop.reduce((sum, requests) => sum + requests, 0)).toBe(17);
    } finally {
      await secure?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
