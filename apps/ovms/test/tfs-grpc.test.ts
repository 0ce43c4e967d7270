import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGrpcClients,
  expectGrpcError,
  f32Bytes,
  f32Values,
  rawUnary,
  unary,
} from './support/grpc.js';
import type { GrpcClients, Message } from './support/grpc.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// TF Serving's PredictionService and ModelService through grpc-js + @grpc/proto-loader.
let server: TestServer;
let clients: GrpcClients;

beforeAll(async () => {
  server = await startTestServer();
  clients = createGrpcClients(server.grpcAddress);
}, 120_000);
afterAll(async () => {
  clients?.close();
  await server?.stop();
});

const tensor = (
  shape: readonly number[],
  values: readonly number[],
  dtype = 'DT_FLOAT',
): Message => ({
  dtype,
  tensor_shape: { dim: shape.map((size) => ({ size })) },
  tensor_content: f32Bytes(values),
});
const predict = (request: Message) => unary(clients.prediction, 'Predict', request);

describe('PredictionService', () => {
  it('Predict answers tensor_content outputs for the policy latest version', async () => {
    const response = await predict({
      model_spec: { name: 'add' },
      inputs: { a: tensor([1, 4], [1, 2, 3, 4]), b: tensor([1, 4], [1, 1, 1, 1]) },
    });
    const sum = (response['outputs'] as Record<string, Message>)['sum'];
    expect(f32Values(sum?.['tensor_content'])).toEqual([2, 3, 4, 5]);
    expect(response['model_spec']).toMatchObject({ name: 'add', version: { value: '2' } });
  });

  it('Predict with a version number and an output filter', async () => {
    const response = await predict({
      model_spec: { name: 'two', version: { value: 1 } },
      inputs: { a: tensor([1, 3], [5, 5, 5]), b: tensor([1, 3], [1, 2, 3]) },
      output_filter: ['diff'],
    });
    const outputs = response['outputs'] as Record<string, Message>;
    expect(Object.keys(outputs)).toEqual(['diff']);
    expect(f32Values(outputs['diff']?.['tensor_content'])).toEqual([4, 3, 2]);
  });

  it('GetModelMetadata packs a SignatureDefMap in Any', async () => {
    const response = await unary(clients.prediction, 'GetModelMetadata', {
      model_spec: { name: 'fixed' },
      metadata_field: ['signature_def'],
    });
    const any = (response['metadata'] as Record<string, Message>)['signature_def'];
    expect(any?.['type_url']).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
    expect(Buffer.from(any?.['value'] as Uint8Array).toString('latin1')).toContain(
      'serving_default',
    );
  });

  it('Classify, Regress and MultiInference answer UNIMPLEMENTED', async () => {
    for (const method of ['Classify', 'Regress', 'MultiInference']) {
      const error = await unary(clients.prediction, method, { model_spec: { name: 'add' } }).catch(
        (e: { code: number }) => e,
      );
      expect([method, (error as { code: number }).code]).toEqual([method, status.UNIMPLEMENTED]);
    }
  });

  it.each([
    [
      'unknown model',
      { model_spec: { name: 'nope' }, inputs: {} },
      status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      'unknown version',
      { model_spec: { name: 'add', version: { value: 9 } }, inputs: {} },
      status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    ['no model_spec', { inputs: {} }, status.INVALID_ARGUMENT, 'model_spec missing in request'],
    [
      'a wrong input name',
      { model_spec: { name: 'fixed' }, inputs: { z: tensor([1, 3], [1, 2, 3]) } },
      status.INVALID_ARGUMENT,
      'Missing input with specific name',
    ],
    [
      'a wrong shape',
      { model_spec: { name: 'fixed' }, inputs: { x: tensor([1, 4], [1, 2, 3, 4]) } },
      status.INVALID_ARGUMENT,
      'Invalid input shape - Expected: (1,3); Actual: (1,4); input name: x',
    ],
    [
      'a wrong dtype',
      { model_spec: { name: 'fixed' }, inputs: { x: tensor([1, 3], [1, 2, 3], 'DT_INT32') } },
      status.INVALID_ARGUMENT,
      'Invalid input precision',
    ],
    [
      'a wrong byte size',
      { model_spec: { name: 'fixed' }, inputs: { x: tensor([1, 3], [1, 2]) } },
      status.INVALID_ARGUMENT,
      'Invalid content size of tensor proto',
    ],
  ])('Predict with %s fails as OVMS does', async (_case, request, code, details) => {
    await expectGrpcError(predict(request), code, details);
  });

  it('a malformed protobuf message is refused, and the server keeps serving', async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    await expectGrpcError(
      rawUnary(server.grpcAddress, '/tensorflow.serving.PredictionService/Predict', garbage),
      status.INTERNAL,
      'Error deserializing request',
    );
    const status_ = await unary(clients.modelService, 'GetModelStatus', {
      model_spec: { name: 'add' },
    });
    expect(status_['model_version_status']).toHaveLength(2);
  });
});

describe('ModelService', () => {
  it('GetModelStatus reports every version, or the one asked for', async () => {
    const all = await unary(clients.modelService, 'GetModelStatus', {
      model_spec: { name: 'add' },
    });
    expect(all['model_version_status']).toEqual(
      ['1', '2'].map((version) => ({
        version,
        state: 'AVAILABLE',
        status: { error_code: 'OK', error_message: 'OK' },
      })),
    );
    const one = await unary(clients.modelService, 'GetModelStatus', {
      model_spec: { name: 'single', version: { value: 1 } },
    });
    expect(one['model_version_status']).toMatchObject([{ version: '1', state: 'AVAILABLE' }]);
  });

  it('GetModelStatus of an unknown model is NOT_FOUND', async () => {
    await expectGrpcError(
      unary(clients.modelService, 'GetModelStatus', { model_spec: { name: 'nope' } }),
      status.NOT_FOUND,
      'Model with requested name is not found',
    );
  });

  it('HandleReloadConfigRequest re-reads the config file and succeeds', async () => {
    const response = await unary(clients.modelService, 'HandleReloadConfigRequest', {
      config: { model_config_list: { config: [] } },
    });
    // OVMS answers an empty ReloadConfigResponse with gRPC OK.
    expect(response['status'] ?? null).toBeNull();
    // The file, not the request, says what is served: every model is still there.
    const still = await unary(clients.modelService, 'GetModelStatus', {
      model_spec: { name: 'two' },
    });
    expect(still['model_version_status']).toMatchObject([{ state: 'AVAILABLE' }]);
  });
});
