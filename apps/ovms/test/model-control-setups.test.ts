import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { freePort } from '@ovms/storage/test-support';
import { writeFixtureModel } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlArgs, writeControlRepository } from './support/control-repository.js';
import { createGrpcClients, expectGrpcError, unary } from './support/grpc.js';
import { MAIN_TS, PROJECT_ROOT } from './support/paths.js';
import { run } from './support/process.js';
import { eventually, startGrpcServerProcess, startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';
import { httpsRequest, readClientTls, writeTestPki } from './support/tls.js';
import type { ClientTls } from './support/tls.js';

// Model control in the setups it shares a server with (docs/model-control.md): beside
// `--config_path`, with a repository that is not a folder, and behind TLS and an API key
// (docs/security.md) on both transports — each on the real `ovms` binary.
const API_KEY = 'control-key-41c9';

let root: string;
beforeAll(async () => {
  root = await writeControlRepository();
});
afterAll(() => rm(root, { recursive: true, force: true }));

const error = (status: number, message: string) => ({ status, body: { error: message } });

describe('a model repository beside --config_path', () => {
  let configDir: string;
  let both: GrpcServerProcess;
  beforeAll(async () => {
    // The config file serves `fixed` from a folder of its own; the repository has one too.
    configDir = await mkdtemp(join(tmpdir(), 'ovms-control-config-'));
    await writeFixtureModel('fixed_shape', 'onnx', join(configDir, 'fixed', '1'));
    const configPath = join(configDir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({ model_config_list: [{ config: { name: 'fixed', base_path: 'fixed' } }] }),
    );
    both = await startReadyServer([
      ...['--config_path', configPath],
      ...controlArgs(root, 'explicit'),
    ]);
  }, 180_000);
  afterAll(async () => {
    await both?.stop();
    if (configDir !== undefined) await rm(configDir, { recursive: true, force: true });
  });

  it("serves the config file's models at start and leaves them to it; the rest loads by request", async () => {
    const call = async (method: string, path: string) => {
      const response = await fetch(`${both.restUrl}${path}`, { method });
      const text = await response.text();
      return { status: response.status, body: text === '' ? '' : (JSON.parse(text) as unknown) };
    };
    expect(await call('POST', '/v2/repository/index')).toEqual({
      status: 200,
      body: [
        { name: 'add', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
        { name: 'fixed', version: '1', state: 'READY', reason: '' },
      ],
    });
    for (const action of ['load', 'unload'])
      expect(await call('POST', `/v2/repository/models/fixed/${action}`)).toEqual(
        error(
          409,
          'Model is managed by the config file - model "fixed" is served from --config_path; change it there',
        ),
      );
    expect((await call('POST', '/v2/repository/models/add/load')).status).toBe(200);
    expect((await call('POST', '/v2/repository/index')).body).toEqual([
      { name: 'add', version: '2', state: 'READY', reason: '' },
      { name: 'fixed', version: '1', state: 'READY', reason: '' },
    ]);
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
