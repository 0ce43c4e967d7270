import { status as grpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kserveAddRequest } from './support/add-request.js';
import { createGrpcClients, expectGrpcError, f32Bytes, f32Values, unary } from './support/grpc.js';
import type { GrpcClients, Message } from './support/grpc.js';
import { scaledSum, writePipelineRepository } from './support/pipeline-repository.js';
import type { PipelineRepository } from './support/pipeline-repository.js';
import { renderTextPng } from './support/render.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// Pipelines through the real server: @ovms/dag built by the app's PipelineFactory, served by
// lifecycle like a model with version 1, over every transport.
let repository: PipelineRepository;
let server: TestServer;
let clients: GrpcClients;

beforeAll(async () => {
  server = await startTestServer(async () => (repository = await writePipelineRepository()));
  clients = createGrpcClients(server.grpcAddress);
}, 180_000);
afterAll(async () => {
  clients?.close();
  await server?.stop();
});

const rest = async (path: string, body?: unknown) => {
  const response = await fetch(`${server.restUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};
const tfsTensor = (values: readonly number[]): Message => ({
  dtype: 'DT_FLOAT',
  tensor_shape: { dim: [{ size: 1 }, { size: 4 }] },
  tensor_content: f32Bytes(values),
});
const predictScaled = (name = 'add_scaled') =>
  unary(clients.prediction, 'Predict', {
    model_spec: { name },
    inputs: { a: tfsTensor([1, 2, 3, 4]), b: tfsTensor([1, 1, 1, 1]) },
  });
const resultOf = (response: Message) =>
  f32Values((response['outputs'] as Record<string, Message>)['result']?.['tensor_content']);
const pipelineStatus = async (name: string) => {
  const response = await unary(clients.modelService, 'GetModelStatus', { model_spec: { name } });
  return (response['model_version_status'] as Message[]).map((s) => ({
    version: s['version'],
    state: s['state'],
    status: s['status'],
  }));
};
const reload = () => rest('/v1/config/reload', {});

describe('a pipeline of a model and a JS custom node', () => {
  it('answers TFS Predict over gRPC as version 1', async () => {
    const response = await predictScaled();
    expect(resultOf(response)).toEqual([4, 6, 8, 10]);
    expect(response['model_spec']).toMatchObject({ name: 'add_scaled', version: { value: '1' } });
  });

  it('answers KServe ModelInfer over gRPC', async () => {
    const tensor = (name: string) => ({ name, datatype: 'FP32', shape: [1, 4] });
    const response = await unary(clients.inference, 'ModelInfer', {
      model_name: 'add_scaled',
      inputs: [tensor('a'), tensor('b')],
      raw_input_contents: [f32Bytes([1, 2, 3, 4]), f32Bytes([2, 2, 2, 2])],
    });
    expect(response).toMatchObject({ model_name: 'add_scaled', model_version: '1' });
    expect(f32Values((response['raw_output_contents'] as Buffer[])[0])).toEqual([6, 8, 10, 12]);
  });

  it('answers TFS and KServe REST', async () => {
    const tfs = await rest('/v1/models/add_scaled:predict', {
      inputs: { a: [[1, 2, 3, 4]], b: [[0, 0, 0, 1]] },
    });
    expect(tfs).toEqual({ status: 200, json: { outputs: [[2, 4, 6, 10]] } });
    const kserve = await rest(
      '/v2/models/add_scaled/versions/1/infer',
      kserveAddRequest([1, 1, 1, 1]),
    );
    expect(kserve.json).toMatchObject({
      model_name: 'add_scaled',
      model_version: '1',
      outputs: [{ name: 'result', datatype: 'FP32', shape: [1, 4], data: [4, 4, 4, 4] }],
    });
  });

  it('reports metadata, status and readiness like a model with version 1', async () => {
    expect(await pipelineStatus('add_scaled')).toEqual([
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: 'OK' } },
    ]);
    const kserve = await rest('/v2/models/add_scaled');
    expect(kserve).toMatchObject({
      status: 200,
      json: {
        name: 'add_scaled',
        versions: ['1'],
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [-1, 4] },
          { name: 'b', datatype: 'FP32', shape: [-1, 4] },
        ],
        outputs: [{ name: 'result', datatype: 'FP32', shape: [-1, 4] }],
      },
    });
    expect((await fetch(`${server.restUrl}/v2/models/add_scaled/ready`)).status).toBe(200);
    const ready = await unary(clients.inference, 'ModelReady', { name: 'add_scaled' });
    expect(ready['ready']).toBe(true);
    const metadata = await unary(clients.prediction, 'GetModelMetadata', {
      model_spec: { name: 'add_scaled' },
      metadata_field: ['signature_def'],
    });
    expect(metadata['model_spec']).toMatchObject({ name: 'add_scaled', version: { value: '1' } });
    const tfsRest = await rest('/v1/models/add_scaled/metadata');
    expect(JSON.stringify(tfsRest.json)).toContain('"result"');
    expect((await rest('/v1/config')).json['add_scaled']).toBeDefined();
  });
});

describe('the OCR pipeline of demos/ocr', () => {
  it('reads the text of a PNG sent over REST', async () => {
    const lines = [
      { text: 'Hello World', size: 48, x: 40, y: 30 },
      { text: 'The quick brown fox jumps over the lazy dog', size: 24, x: 40, y: 110 },
    ];
    const png = await renderTextPng(lines, { width: 700, height: 160 });
    const { status, json } = await rest('/v1/models/ocr:predict', {
      inputs: { image: [{ b64: png.toString('base64') }] },
    });
    expect(status).toBe(200);
    const outputs = json['outputs'] as Record<string, unknown>;
    const texts = (outputs['texts'] as string[][]).map((row) => row.join(''));
    // Lines demos/ocr's own tests read exactly, one row per box in reading order.
    expect(texts).toEqual(['Hello World', 'The quick brown fox jumps over the lazy dog']);
    expect((outputs['boxes'] as unknown[]).length).toBe(2);
  });

  it('answers zero boxes for an image without text', async () => {
    const blank = await renderTextPng([], { width: 320, height: 240 });
    const { status, json } = await rest('/v1/models/ocr:predict', {
      inputs: { image: [{ b64: blank.toString('base64') }] },
    });
    expect(status).toBe(200);
    expect((json['outputs'] as Record<string, unknown>)['texts']).toEqual([]);
  });
});

describe('pipelines follow the config and their models', () => {
  it('a pipeline whose model left the config is unavailable with the reason, and recovers', async () => {
    await repository.write({ add: false, pipelines: [scaledSum('add_scaled', 2)] });
    expect((await reload()).status).toBe(201);
    const [status] = await pipelineStatus('add_scaled');
    expect(status).toMatchObject({
      version: '1',
      state: 'LOADING',
      status: { error_code: 'FAILED_PRECONDITION' },
    });
    await expectGrpcError(
      predictScaled(),
      grpcStatus.UNAVAILABLE,
      'Pipeline is not loaded yet - pipeline add_scaled is invalid: Pipeline definition has reference to missing model',
    );
    const viaRest = await rest('/v1/models/add_scaled:predict', { inputs: { a: [[1]], b: [[1]] } });
    expect(viaRest.status).toBe(503);

    await repository.write({ add: true, pipelines: [scaledSum('add_scaled', 2)] });
    expect((await reload()).status).toBe(201);
    expect((await pipelineStatus('add_scaled'))[0]?.state).toBe('AVAILABLE');
    expect(resultOf(await predictScaled())).toEqual([4, 6, 8, 10]);
  });

  it('config reload adds, changes and removes a pipeline without a restart', async () => {
    const both = [scaledSum('add_scaled', 2), scaledSum('add_tripled', 3)];
    await repository.write({ add: true, pipelines: both });
    expect((await reload()).status).toBe(201);
    expect(resultOf(await predictScaled('add_tripled'))).toEqual([6, 9, 12, 15]);

    await repository.write({ add: true, pipelines: [scaledSum('add_scaled', 10)] });
    expect((await reload()).status).toBe(201);
    expect(resultOf(await predictScaled())).toEqual([20, 30, 40, 50]);
    expect((await pipelineStatus('add_tripled'))[0]?.state).toBe('END');
    await expectGrpcError(
      predictScaled('add_tripled'),
      grpcStatus.NOT_FOUND,
      'Pipeline is retired - pipeline add_tripled was removed from the config',
    );
  });
});
