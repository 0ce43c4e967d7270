import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError, StatusCode } from '@ovms/core';
import { expectStatus, startHarness, unary } from './harness.js';
import type { Harness, Message } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const status = (request: Message) => unary(h.clients.modelService, 'GetModelStatus', request);
const entry = (version: string, state: string) => ({
  version,
  state,
  status: { error_code: 'OK', error_message: 'OK' },
});

describe('GetModelStatus', () => {
  it('lists every version with its state when no version is named (or version 0)', async () => {
    const all = [
      entry('1', 'AVAILABLE'),
      entry('2', 'AVAILABLE'),
      entry('3', 'LOADING'),
      entry('4', 'END'),
    ];
    expect(await status({ model_spec: { name: 'add' } })).toEqual({ model_version_status: all });
    expect(await status({ model_spec: { name: 'add', version: { value: '0' } } })).toEqual({
      model_version_status: all,
    });
  });

  it('answers one version when it is named', async () => {
    expect(await status({ model_spec: { name: 'add', version: { value: '3' } } })).toEqual({
      model_version_status: [entry('3', 'LOADING')],
    });
  });

  it.each([
    [
      { model_spec: { name: 'nope' } },
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      { model_spec: { name: 'add', version: { value: '8' } } },
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    [{}, grpc.status.INVALID_ARGUMENT, 'model_spec missing in request'],
  ] as const)('refuses %j', async (request, code, details) => {
    await expectStatus(status(request), code, details);
  });

  it('reports GetModelStatus in metrics', async () => {
    h.metrics.done.length = 0;
    await status({ model_spec: { name: 'add', version: { value: '1' } } });
    expect(h.metrics.done[0]).toMatchObject({
      api: 'TensorFlowServing',
      method: 'GetModelStatus',
      name: 'add',
      version: 1,
      ok: true,
    });
  });
});

describe('HandleReloadConfigRequest', () => {
  const reload = (request: Message) =>
    unary(h.clients.modelService, 'HandleReloadConfigRequest', request);

  it('re-reads the config file, ignores the config in the request and answers OK', async () => {
    const before = h.provider.reloads;
    const response = await reload({
      config: { model_config_list: { config: [{ name: 'x', base_path: '/nowhere' }] } },
    });
    expect(response).toEqual({ status: null, metric: [] });
    expect(h.provider.reloads).toBe(before + 1);
  });

  it('answers a config file that cannot be applied with its error', async () => {
    h.provider.reloadOutcome = new ServingError(StatusCode.JSON_INVALID, 'line 3');
    try {
      await expectStatus(reload({}), grpc.status.INTERNAL, 'The file is not valid json - line 3');
    } finally {
      h.provider.reloadOutcome = false;
    }
  });
});
