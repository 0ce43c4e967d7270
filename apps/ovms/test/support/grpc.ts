import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expect } from 'vitest';
import { PROTOS_DIR } from './paths.js';

/** Plain objects as a proto-loader client sends and receives them. */
export type Message = Record<string, unknown>;

type UnaryMethod = (
  request: Message,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Message) => void,
) => grpc.ClientUnaryCall;

export interface GrpcClients {
  readonly prediction: grpc.Client;
  readonly modelService: grpc.Client;
  readonly inference: grpc.Client;
  close(): void;
}

const CALL_TIMEOUT_MS = 20_000;

/**
 * Clients built by @grpc/proto-loader from protos/ (not from @ovms/proto, the server's own
 * generated code), so the server is checked against the .proto files.
 */
export function createGrpcClients(
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ChannelOptions = {},
): GrpcClients {
  const definition = protoLoader.loadSync(
    [
      'tensorflow_serving/apis/prediction_service.proto',
      'tensorflow_serving/apis/model_service.proto',
      'kserve/grpc_predict_v2.proto',
    ],
    { includeDirs: [PROTOS_DIR], keepCase: true, longs: String, enums: String, defaults: true },
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    tensorflow: { serving: Record<string, grpc.ServiceClientConstructor | undefined> };
    inference: Record<string, grpc.ServiceClientConstructor | undefined>;
  };
  const make = (ctor: grpc.ServiceClientConstructor | undefined): grpc.Client => {
    if (ctor === undefined) throw new Error('service missing from protos/');
    return new ctor(address, credentials, options);
  };
  const clients = {
    prediction: make(loaded.tensorflow.serving['PredictionService']),
    modelService: make(loaded.tensorflow.serving['ModelService']),
    inference: make(loaded.inference['GRPCInferenceService']),
  };
  return { ...clients, close: () => Object.values(clients).forEach((client) => client.close()) };
}

/** Calls a unary method by its proto-loader name. */
export function unary(
  client: grpc.Client,
  method: string,
  request: Message,
  metadata: grpc.Metadata = new grpc.Metadata(),
): Promise<Message> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    fn.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + CALL_TIMEOUT_MS },
      (error, response) => (error ? reject(error) : resolve(response ?? {})),
    );
  });
}

/** Asserts that a call fails with this gRPC status and a message starting with `details`. */
export async function expectGrpcError(
  call: Promise<unknown>,
  code: grpc.status,
  details: string,
): Promise<void> {
  const error = (await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  )) as grpc.ServiceError;
  expect({
    code: grpc.status[error.code],
    details: error.details.slice(0, details.length),
  }).toEqual({ code: grpc.status[code], details });
}

/**
 * Sends raw bytes as the request message of `path`, with no serializer: how a client with a
 * broken encoder or a wrong proto would reach the server.
 */
export function rawUnary(address: string, path: string, body: Buffer): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (value: Buffer) => value,
      (value: Buffer) => value,
      body,
      new grpc.Metadata(),
      { deadline: Date.now() + CALL_TIMEOUT_MS },
      (error, response) => (error ? reject(error) : resolve(response ?? Buffer.alloc(0))),
    );
  }).finally(() => client.close());
}

/** Little-endian float32 bytes, as `tensor_content` and `raw_input_contents` carry them. */
export function f32Bytes(values: readonly number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

export function f32Values(bytes: unknown): number[] {
  if (!(bytes instanceof Uint8Array)) throw new Error('expected bytes');
  const copy = Uint8Array.from(bytes);
  return [...new Float32Array(copy.buffer, 0, copy.byteLength / 4)];
}
