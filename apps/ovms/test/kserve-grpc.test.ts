import * as grpc from '@grpc/grpc-js';
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
import { OPENVINO_FOUND } from './support/repository.js';
import { startTestServer } from './support/server.js';
import type { TestServer } from './support/server.js';

// KServe's GRPCInferenceService through grpc-js + @grpc/proto-loader.
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

const call = (method: string, request: Message) => unary(clients.inference, method, request);
const typedInput = (
  name: string,
  shape: number[],
  values: number[],
  datatype = 'FP32',
): Message => ({
  name,
  datatype,
  shape,
  contents: datatype === 'FP32' ? { fp32_contents: values } : { int_contents: values },
});
const rawInput = (name: string, shape: number[]): Message => ({ name, datatype: 'FP32', shape });

describe('server and model endpoints', () => {
  it('ServerLive, ServerReady and ServerMetadata', async () => {
    expect(await call('ServerLive', {})).toEqual({ live: true });
    expect(await call('ServerReady', {})).toEqual({ ready: true });
    expect(await call('ServerMetadata', {})).toEqual({
      name: 'OpenVINO Model Server',
      version: '0.0.0-test',
      extensions: ['binary_tensor_data'],
    });
  });

  it('ModelReady for the default and an explicit version; unknown ones are NOT_FOUND', async () => {
    expect(await call('ModelReady', { name: 'add' })).toEqual({ ready: true });
    expect(await call('ModelReady', { name: 'add', version: '1' })).toEqual({ ready: true });
    await expectGrpcError(
      call('ModelReady', { name: 'nope' }),
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    );
    await expectGrpcError(
      call('ModelReady', { name: 'add', version: '3' }),
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    );
  });

  it('ModelMetadata lists versions, inputs and outputs', async () => {
    const metadata = await call('ModelMetadata', { name: 'two' });
    expect(metadata).toMatchObject({
      name: 'two',
      versions: ['1'],
      inputs: [
        { name: 'a', datatype: 'FP32', shape: ['-1', '3'] },
        { name: 'b', datatype: 'FP32', shape: ['-1', '3'] },
      ],
      outputs: [
        { name: 'sum', datatype: 'FP32', shape: ['-1', '3'] },
        { name: 'diff', datatype: 'FP32', shape: ['-1', '3'] },
      ],
    });
  });
});

describe('ModelInfer', () => {
  it('typed contents in, raw_output_contents out', async () => {
    const response = await call('ModelInfer', {
      model_name: 'fixed',
      inputs: [typedInput('x', [1, 3], [10, 20, 30])],
    });
    expect(response).toMatchObject({ model_name: 'fixed', model_version: '1' });
    expect(response['outputs']).toMatchObject([{ name: 'y', datatype: 'FP32', shape: ['1', '3'] }]);
    expect(f32Values((response['raw_output_contents'] as unknown[])[0])).toEqual([11, 22, 33]);
  });

  it('raw_input_contents in, with a version and requested outputs', async () => {
    const response = await call('ModelInfer', {
      model_name: 'two',
      model_version: '1',
      inputs: [rawInput('a', [2, 3]), rawInput('b', [2, 3])],
      raw_input_contents: [f32Bytes([1, 2, 3, 4, 5, 6]), f32Bytes([1, 1, 1, 1, 1, 1])],
      outputs: [{ name: 'diff' }],
    });
    expect(response['outputs']).toMatchObject([{ name: 'diff', shape: ['2', '3'] }]);
    expect(f32Values((response['raw_output_contents'] as unknown[])[0])).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
  });

  it.skipIf(!OPENVINO_FOUND)(
    'an OpenVINO IR model answers like its ONNX twin (NOT RUN when OpenVINO is not found)',
    async () => {
      const response = await call('ModelInfer', {
        model_name: 'add_ir',
        inputs: [rawInput('a', [1, 4]), rawInput('b', [1, 4])],
        raw_input_contents: [f32Bytes([1, 2, 3, 4]), f32Bytes([4, 3, 2, 1])],
      });
      expect(f32Values((response['raw_output_contents'] as unknown[])[0])).toEqual([5, 5, 5, 5]);
    },
  );

  it.each([
    [
      'an unknown model',
      { model_name: 'nope', inputs: [] },
      grpc.status.NOT_FOUND,
      'Model with requested name is not found',
    ],
    [
      'an unknown version',
      { model_name: 'add', model_version: '5', inputs: [] },
      grpc.status.NOT_FOUND,
      'Model with requested version is not found',
    ],
    [
      'a wrong input name',
      { model_name: 'fixed', inputs: [typedInput('z', [1, 3], [1, 2, 3])] },
      grpc.status.INVALID_ARGUMENT,
      'Missing input with specific name',
    ],
    [
      'a wrong batch',
      { model_name: 'fixed', inputs: [typedInput('x', [3, 1], [1, 2, 3])] },
      grpc.status.INVALID_ARGUMENT,
      'Invalid input batch size',
    ],
    [
      'a wrong shape',
      { model_name: 'fixed', inputs: [typedInput('x', [1, 2], [1, 2])] },
      grpc.status.INVALID_ARGUMENT,
      'Invalid input shape',
    ],
    [
      'a wrong dtype',
      { model_name: 'fixed', inputs: [typedInput('x', [1, 3], [1, 2, 3], 'INT32')] },
      grpc.status.INVALID_ARGUMENT,
      'Invalid input precision',
    ],
    [
      'a wrong value count',
      { model_name: 'fixed', inputs: [typedInput('x', [1, 3], [1, 2])] },
      grpc.status.INVALID_ARGUMENT,
      'Invalid number of values in tensor proto container',
    ],
    [
      'a wrong raw byte size',
      {
        model_name: 'fixed',
        inputs: [rawInput('x', [1, 3])],
        raw_input_contents: [f32Bytes([1, 2])],
      },
      grpc.status.INVALID_ARGUMENT,
      'Invalid content size of tensor proto',
    ],
  ])('with %s fails as OVMS does', async (_case, request, code, details) => {
    await expectGrpcError(call('ModelInfer', request), code, details);
  });

  it('a malformed protobuf message is refused', async () => {
    await expectGrpcError(
      rawUnary(
        server.grpcAddress,
        '/inference.GRPCInferenceService/ModelInfer',
        Buffer.from([0x12, 0x7f, 0x01]),
      ),
      grpc.status.INTERNAL,
      'Error deserializing request',
    );
  });
});

describe('ModelStreamInfer', () => {
  it('answers each request on the stream, errors in-band', async () => {
    const stream = (
      clients.inference as unknown as Record<
        string,
        (options: grpc.CallOptions) => grpc.ClientDuplexStream<Message, Message>
      >
    )['ModelStreamInfer']?.call(clients.inference, { deadline: Date.now() + 20_000 });
    if (stream === undefined) throw new Error('no ModelStreamInfer on the client');
    const responses: Message[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (message: Message) => responses.push(message));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write({
      id: 'first',
      model_name: 'fixed',
      inputs: [typedInput('x', [1, 3], [0, 0, 0])],
    });
    stream.write({ id: 'second', model_name: 'nope', inputs: [] });
    stream.end();
    await done;
    expect(responses).toHaveLength(2);
    const [first, second] = responses;
    expect(first?.['error_message']).toBe('');
    expect(first?.['infer_response']).toMatchObject({ id: 'first', model_name: 'fixed' });
    const firstRaw = (first?.['infer_response'] as Message)['raw_output_contents'] as unknown[];
    expect(f32Values(firstRaw[0])).toEqual([1, 2, 3]);
    expect(second?.['error_message']).toMatch(/^Model with requested name is not found/);
  });
});
