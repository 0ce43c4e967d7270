import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureModel } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogConsole } from '../src/log-console.js';
import { curlJson, errorOf, postJson } from './support/process.js';
import { eventually, startServerProcess } from './support/server-process.js';
import type { ServerProcess } from './support/server-process.js';

// The real server, as a process, with a model whose only version cannot load beside one that
// can: OVMS keeps the broken version LOADING with error UNKNOWN, logs why, and serves the rest.
let root: string;
let server: ServerProcess;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovms-failed-load-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await mkdir(join(root, 'broken', '1'), { recursive: true });
  await writeFile(join(root, 'broken', '1', 'model.onnx'), 'this is not an ONNX model');
  const config = {
    model_config_list: [
      { config: { name: 'add', base_path: join(root, 'add') } },
      { config: { name: 'broken', base_path: join(root, 'broken') } },
    ],
  };
  await writeFile(join(root, 'config.json'), JSON.stringify(config));
  server = await startServerProcess(['--config_path', join(root, 'config.json')], {});
  await eventually(
    () => Promise.resolve(server.output().includes('"msg":"Server ready"')),
    60_000,
    () => server.output(),
  );
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** The server's JSON log lines so far. */
function logLines(): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The error-level line of the failed load of broken version 1 (fails the test if none). */
function failedLoadLine(): Record<string, unknown> {
  const line = logLines().find(
    (fields) => fields['level'] === 50 && fields['model'] === 'broken' && fields['version'] === 1,
  );
  expect(line, server.output()).toBeDefined();
  return line ?? {};
}

describe('a model version that fails to load', () => {
  it('is LOADING with error UNKNOWN in GetModelStatus, as OVMS reports it', async () => {
    const { status, json } = await curlJson(`${server.restUrl}/v1/models/broken`);
    expect(status).toBe(200);
    expect(json).toEqual({
      model_version_status: [
        {
          version: '1',
          state: 'LOADING',
          status: { error_code: 'UNKNOWN', error_message: 'UNKNOWN' },
        },
      ],
    });
  });

  it('answers requests for it "not loaded yet" (no default version) while the good model serves', async () => {
    const body = { instances: [{ a: [1, 2, 3, 4], b: [10, 20, 30, 40] }] };
    const url = `${server.restUrl}/v1/models/broken`;
    const broken = await curlJson(`${url}/versions/1:predict`, postJson(body));
    expect(broken.status).toBe(503);
    expect(errorOf(broken.json)).toBe('Model with requested version is not loaded yet');
    // Nothing AVAILABLE, so there is no default version to serve (OVMS: MODEL_VERSION_MISSING).
    const latest = await curlJson(`${url}:predict`, postJson(body));
    expect(latest.status).toBe(404);
    expect(errorOf(latest.json)).toBe('Model with requested version is not found');
    const add = await curlJson(`${server.restUrl}/v1/models/add:predict`, postJson(body));
    expect(add).toEqual({ status: 200, json: { predictions: [[11, 22, 33, 44]] } });
  });

  it('is logged at error level with the model, the version and the reason', () => {
    const line = failedLoadLine();
    const reason = line['reason'];
    expect(typeof reason === 'string' && reason.length > 0).toBe(true);
    expect(line).toMatchObject({
      state: 'LOADING',
      errorCode: 'UNKNOWN',
      msg: `Version 1 of model broken failed to load: ${String(reason)}; status: LOADING (UNKNOWN)`,
    });
  });

  it("makes a plain console line and a ready summary out of the server's real log", () => {
    const reason = String(failedLoadLine()['reason']);
    const logConsole = createLogConsole();
    const lines = server
      .output()
      .split('\n')
      .flatMap((line) => logConsole.lines(line));
    const port = new URL(server.restUrl).port;
    expect(lines).toContain(`✗ model broken version 1 failed to load: ${reason}`);
    const ready = lines.findIndex((line) => line.startsWith('✓ server ready'));
    expect(lines.slice(ready, ready + 4)).toEqual([
      `✓ server ready (REST :${port}, dashboard http://127.0.0.1:${port}/dashboard); serving 1`,
      '    model add version 1',
      '✗ 1 failed to load:',
      `    model broken version 1: ${reason}`,
    ]);
  });
});
