import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { TestServableProvider } from '@ovms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer } from './server.js';
import type { RunningGrpcServer } from './server.js';
import { createGrpcServices } from './services.js';

const PROTOS_DIR = fileURLToPath(new URL('../../../protos', import.meta.url));
const SERVED = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
  'inference.GRPCInferenceService',
  'tensorflow.serving.ModelService',
  'tensorflow.serving.PredictionService',
];

type Message = Record<string, unknown>;
interface Answer {
  valid_host: string;
  original_request: Message;
  message_response: string;
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  list_services_response?: { service: { name: string }[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  error_response?: { error_code: number; error_message: string };
}

/** One reflection stream of an independent client (@grpc/proto-loader on protos/grpc/reflection). */
class ReflectionStream {
  readonly #stream: grpc.ClientDuplexStream<Message, Answer>;
  readonly #pending: ((answer: Answer) => void)[] = [];

  constructor(address: string, version: 'v1' | 'v1alpha') {
    const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
      includeDirs: [PROTOS_DIR],
      keepCase: true,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
    };
    const Client = loaded.grpc.reflection[version]!.ServerReflection;
    const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
      ServerReflectionInfo(): grpc.ClientDuplexStream<Message, Answer>;
    };
    this.#stream = client.ServerReflectionInfo();
    this.#stream.on('data', (answer: Answer) => this.#pending.shift()?.(answer));
    this.#stream.on('error', () => {}); // close() reads the status
  }

  ask(request: Message): Promise<Answer> {
    return new Promise((resolve) => {
      this.#pending.push(resolve);
      this.#stream.write(request);
    });
  }

  /** Half-closes; resolves with the status the server ends the stream with. */
  close(): Promise<grpc.StatusObject> {
    return new Promise((resolve) => {
      this.#stream.on('status', resolve);
      this.#stream.end();
    });
  }
}

const fileNames = (answer: Answer): string[] =>
  (answer.file_descriptor_response?.file_descriptor_proto ?? []).map(
    (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
  );

/** Serialized FileDescriptorSet of the files: `repeated FileDescriptorProto file = 1`. */
function fileDescriptorSet(files: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const length: number[] = [];
    for (let n = file.length; ; n >>>= 7) {
      if (n < 0x80) {
        length.push(n);
        break;
      }
      length.push((n & 0x7f) | 0x80);
    }
    parts.push(Buffer.from([0x0a, ...length]), file);
  }
  return Buffer.concat(parts);
}

let server: RunningGrpcServer;
let address: string;
beforeAll(async () => {
  const provider = new TestServableProvider();
  const services = createGrpcServices({ provider, admin: provider, serverVersion: '0.0.0-test' });
  server = await startGrpcServer({ services, host: '127.0.0.1', port: 0 });
  address = `127.0.0.1:${server.port}`;
});
afterAll(() => server.close(1000));

describe.each(['v1', 'v1alpha'] as const)('ServerReflectionInfo %s', (version) => {
  it('lists every service served, echoing the host and the request', async () => {
    const stream = new ReflectionStream(address, version);
    const request = { host: 'localhost:9000', list_services: '*' };
    expect(await stream.ask(request)).toMatchObject({
      valid_host: 'localhost:9000',
      original_request: request,
      list_services_response: { service: SERVED.map((name) => ({ name })) },
    });
    expect((await stream.close()).code).toBe(grpc.status.OK);
  });

  it('answers with the files a client needs to call a service it never saw', async () => {
    const stream = new ReflectionStream(address, version);
    const answer = await stream.ask({ file_containing_symbol: 'inference.GRPCInferenceService' });
    expect(fileNames(answer)).toEqual([
      'kserve/grpc_predict_v2.proto',
      // Imported by it: Triton's repository and statistics messages.
      'kserve/triton_extensions.proto',
    ]);
    // A client built from nothing but that answer calls the server.
    const definition = protoLoader.loadFileDescriptorSetFromBuffer(
      fileDescriptorSet(answer.file_descriptor_response!.file_descriptor_proto),
    );
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
    };
    const client = new loaded.inference.GRPCInferenceService(
      address,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      ServerLive(
        request: Message,
        callback: (error: grpc.ServiceError | null, answer: Message) => void,
      ): void;
    };
    const live = await new Promise((resolve, reject) =>
      client.ServerLive({}, (error, response) => (error ? reject(error) : resolve(response))),
    );
    client.close();
    expect(live).toEqual({ live: true });
    await stream.close();
  });
});

describe('files and symbols', () => {
  it('sends a file with its imports, and on the same stream only the imports not sent yet', async () => {
    const stream = new ReflectionStream(address, 'v1');
    const predict = await stream.ask({
      file_containing_symbol: 'tensorflow.serving.PredictionService.Predict',
    });
    expect(fileNames(predict)[0]).toBe('tensorflow_serving/apis/prediction_service.proto');
    expect(new Set(fileNames(predict))).toEqual(
      new Set([
        'tensorflow_serving/apis/prediction_service.proto',
        'tensorflow_serving/apis/classification.proto',
        'tensorflow_serving/apis/input.proto',
        'tensorflow/core/example/example.proto',
        'tensorflow/core/example/feature.proto',
        'tensorflow_serving/apis/model.proto',
        'google/protobuf/wrappers.proto',
        'tensorflow_serving/apis/get_model_metadata.proto',
        'google/protobuf/any.proto',
        'tensorflow/core/protobuf/meta_graph.proto',
        'tensorflow/core/framework/tensor_shape.proto',
        'tensorflow/core/framework/types.proto',
        'tensorflow_serving/apis/inference.proto',
        'tensorflow_serving/apis/regression.proto',
        'tensorflow_serving/apis/predict.proto',
        'tensorflow/core/framework/tensor.proto',
        'tensorflow/core/framework/resource_handle.proto',
      ]),
    );
    expect(fileNames(predict)).toHaveLength(17);
    const modelService = await stream.ask({
      file_containing_symbol: 'tensorflow.serving.ModelService',
    });
    expect(fileNames(modelService)).toEqual([
      'tensorflow_serving/apis/model_service.proto',
      'tensorflow_serving/apis/get_model_status.proto',
      'tensorflow_serving/apis/model_management.proto',
      'tensorflow_serving/apis/status.proto',
      'tensorflow_serving/config/model_server_config.proto',
      'tensorflow_serving/util/status.proto',
      'tensorflow_serving/config/file_system_storage_path_source.proto',
      'tensorflow_serving/config/logging_config.proto',
      'tensorflow/core/protobuf/error_codes.proto',
    ]);
    // Asked again, the file itself comes back even though the stream has it.
    const again = await stream.ask({ file_by_filename: 'tensorflow_serving/apis/model.proto' });
    expect(fileNames(again)).toEqual(['tensorflow_serving/apis/model.proto']);
    await stream.close();
  });

  it.each([
    ['a message', 'inference.ModelInferRequest', 'kserve/grpc_predict_v2.proto'],
    [
      'a nested message',
      'inference.ModelInferRequest.InferInputTensor',
      'kserve/grpc_predict_v2.proto',
    ],
    ['a field', 'inference.ModelInferRequest.model_name', 'kserve/grpc_predict_v2.proto'],
    ['an enum', 'tensorflow.DataType', 'tensorflow/core/framework/types.proto'],
    ['a leading dot', '.grpc.health.v1.Health', 'grpc/health/v1/health.proto'],
    ['a method', 'grpc.health.v1.Health.Watch', 'grpc/health/v1/health.proto'],
  ])('finds the file defining %s', async (_what, symbol, file) => {
    const stream = new ReflectionStream(address, 'v1');
    expect(fileNames(await stream.ask({ file_containing_symbol: symbol }))[0]).toBe(file);
    await stream.close();
  });

  it('answers what it cannot find with NOT_FOUND and goes on serving the stream', async () => {
    const stream = new ReflectionStream(address, 'v1');
    const notFound = (error_message: string) => ({
      message_response: 'error_response',
      error_response: { error_code: grpc.status.NOT_FOUND, error_message },
    });
    expect(await stream.ask({ file_by_filename: 'nope.proto' })).toMatchObject(
      notFound('File not found: nope.proto'),
    );
    expect(await stream.ask({ file_containing_symbol: 'inference.Nope' })).toMatchObject(
      notFound('Symbol not found: inference.Nope'),
    );
    expect(
      await stream.ask({ file_containing_symbol: 'inference.ModelInferRequest.nope' }),
    ).toMatchObject(notFound('Symbol not found: inference.ModelInferRequest.nope'));
    expect(
      await stream.ask({
        file_containing_extension: {
          containing_type: 'inference.ModelInferRequest',
          extension_number: 100,
        },
      }),
    ).toMatchObject(notFound('Extension not found: 100 of inference.ModelInferRequest'));
    expect(await stream.ask({ all_extension_numbers_of_type: 'inference.Nope' })).toMatchObject(
      notFound('Type not found: inference.Nope'),
    );
    expect(await stream.ask({ file_by_filename: 'grpc/health/v1/health.proto' })).toMatchObject({
      message_response: 'file_descriptor_response',
    });
    await stream.close();
  });

  it('lists no extension numbers for a message that has none', async () => {
    const stream = new ReflectionStream(address, 'v1');
    const answer = await stream.ask({
      all_extension_numbers_of_type: 'inference.ModelInferRequest',
    });
    expect(answer.message_response).toBe('all_extension_numbers_response');
    // proto-loader leaves an empty repeated field out.
    expect(answer.all_extension_numbers_response).toEqual({
      base_type_name: 'inference.ModelInferRequest',
    });
    await stream.close();
  });

  it('refuses a request that asks nothing with INVALID_ARGUMENT', async () => {
    const stream = new ReflectionStream(address, 'v1');
    expect(await stream.ask({ host: 'h' })).toMatchObject({
      valid_host: 'h',
      error_response: {
        error_code: grpc.status.INVALID_ARGUMENT,
        error_message: 'message_request is not set',
      },
    });
    await stream.close();
  });
});
