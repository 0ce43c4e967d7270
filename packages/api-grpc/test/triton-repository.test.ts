import * as grpc from '@grpc/grpc-js';
import { RecordingModelControl } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, startHarness, unary } from './harness.js';
import type { Harness } from './harness.js';

describe('Triton repository and statistics RPCs', () => {
  const control = new RecordingModelControl();
  let harness: Harness;
  let bare: Harness;
  beforeAll(async () => {
    harness = await startHarness({}, { modelControl: control });
    bare = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
    await bare?.close();
  });

  it('hands index, load, unload and statistics to the ModelControl and answers its data', async () => {
    const kserve = harness.clients.kserve;
    expect(await unary(kserve, 'RepositoryIndex', { ready: true })).toEqual({
      models: [{ name: 'add', version: '2', state: 'READY', reason: '' }],
    });
    await unary(kserve, 'RepositoryModelLoad', {
      model_name: 'add',
      parameters: { config: { string_param: '{"nireq":1}' } },
    });
    await unary(kserve, 'RepositoryModelUnload', {
      model_name: 'add',
      parameters: { unload_dependents: { bool_param: true } },
    });
    const answer = await unary(kserve, 'ModelStatistics', { name: 'add', version: '2' });
    await unary(kserve, 'ModelStatistics', {});
    expect(control.calls).toEqual([
      ['index', { ready: true }],
      ['load', 'add', { config: '{"nireq":1}' }],
      ['unload', 'add'],
      ['statistics', 'add', 2],
      ['statistics', undefined, undefined],
    ]);
    expect(answer['model_stats']).toEqual([
      expect.objectContaining({
        name: 'add',
        version: '2',
        last_inference: '1700000000123',
        inference_count: '3',
        execution_count: '2',
        inference_stats: expect.objectContaining({
          success: { count: '3', ns: '3000' },
          fail: { count: '1', ns: '100' },
          queue: { count: '2', ns: '20' },
          compute_infer: { count: '2', ns: '2000' },
          compute_input: { count: '0', ns: '0' },
        }) as unknown,
      }),
    ]);
    // None of these serves a model: nothing reaches the OVMS request metrics.
    expect(harness.metrics.done).toEqual([]);
  });

  it('refuses a repository name, wrong parameter kinds and a malformed version', async () => {
    const kserve = harness.clients.kserve;
    for (const method of ['RepositoryIndex', 'RepositoryModelLoad', 'RepositoryModelUnload'])
      await expectStatus(
        unary(kserve, method, { repository_name: 'other', model_name: 'add' }),
        grpc.status.INVALID_ARGUMENT,
        "Invalid argument - 'repository_name' specification is not supported",
      );
    await expectStatus(
      unary(kserve, 'RepositoryModelLoad', {
        model_name: 'add',
        parameters: { config: { int64_param: '5' } },
      }),
      grpc.status.INVALID_ARGUMENT,
      'Invalid argument - parameters.config: expected a string of JSON; got bigint',
    );
    await expectStatus(
      unary(kserve, 'RepositoryModelLoad', {
        model_name: 'add',
        parameters: { 'file:1/model.onnx': { bytes_param: Buffer.from('x') } },
      }),
      grpc.status.INVALID_ARGUMENT,
      'Invalid argument - parameters.file:1/model.onnx: model files cannot be sent with a load; put them in the model repository',
    );
    await expectStatus(
      unary(kserve, 'ModelStatistics', { name: 'add', version: 'x1' }),
      grpc.status.INVALID_ARGUMENT,
      'invalid model version format in request - Actual: "x1"',
    );
    await expectStatus(
      unary(kserve, 'RepositoryModelLoad', { model_name: 'bad' }),
      grpc.status.INTERNAL,
      'Model failed to load',
    );
  });

  it('answers UNIMPLEMENTED where no ModelControl is served', async () => {
    for (const method of [
      'RepositoryIndex',
      'RepositoryModelLoad',
      'RepositoryModelUnload',
      'ModelStatistics',
    ])
      await expectStatus(
        unary(bare.clients.kserve, method, {}),
        grpc.status.UNIMPLEMENTED,
        'Not implemented - model control is not served here',
      );
  });
});
