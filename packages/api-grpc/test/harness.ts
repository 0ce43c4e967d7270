import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expect } from 'vitest';
import type { MetricsRecorder, RequestRecord } from '@ovms/core';
import { createSharedMemoryBudget, silentLogger } from '@ovms/core';
import type { Logger, SharedMemoryBudget } from '@ovms/core';
import { createGrpcServices, startGrpcLoops, startGrpcServer } from '../src/index.js';
import type {
  GrpcServerOptions,
  GrpcServices,
  GrpcServicesOptions,
  RunningGrpcLoops,
  RunningGrpcServer,
} from '../src/index.js';
import { FixtureProvider } from './fixture-provider.js';

/**
 * An independent client: @grpc/proto-loader reading protos/ directly (not @ovms/proto), so
 * the server is checked against the .proto files, not against its own generated code.
 */
const PROTOS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../protos');
const PROTO_FILES = [
  'tensorflow_serving/apis/prediction_service.proto',
  'tensorflow_serving/apis/model_service.proto',
  'kserve/grpc_predict_v2.proto',
];

// Plain JS objects as a real client sends and receives them.
export type Message = Record<string, unknown>;

type UnaryMethod = (
  request: Message,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Message) => void,
) => grpc.ClientUnaryCall;

export interface ClientSet {
  readonly tfs: grpc.Client;
  readonly modelService: grpc.Client;
  readonly kserve: grpc.Client;
}

/**
 * Clients of `address`; `ownConnection` gives them a connection of their own (grpc-js shares one
 * between clients of the same target otherwise), as separate client processes would have.
 */
export function loadClients(address: string, ownConnection = false): ClientSet {
  const definition = protoLoader.loadSync(PROTO_FILES, {
    includeDirs: [PROTOS_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    tensorflow: { serving: Record<string, grpc.ServiceClientConstructor> };
    inference: Record<string, grpc.ServiceClientConstructor>;
  };
  const credentials = grpc.credentials.createInsecure();
  const make = (ctor: grpc.ServiceClientConstructor | undefined): grpc.Client => {
    if (ctor === undefined) throw new Error('service missing from protos');
    return new ctor(address, credentials, {
      ...(ownConnection && { 'grpc.use_local_subchannel_pool': 1 }),
    });
  };
  return {
    tfs: make(loaded.tensorflow.serving['PredictionService']),
    modelService: make(loaded.tensorflow.serving['ModelService']),
    kserve: make(loaded.inference['GRPCInferenceService']),
  };
}

/** Closes the clients' channels. */
export function closeClients(clients: ClientSet): void {
  for (const client of [clients.tfs, clients.modelService, clients.kserve]) client.close();
}

/** Calls a unary method by its proto-loader name and resolves its response. */
export function unary(client: grpc.Client, method: string, request: Message): Promise<Message> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    fn.call(
      client,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + 20_000 },
      (error, response) => (error ? reject(error) : resolve(response ?? {})),
    );
  });
}

/** Asserts a call fails with exactly this gRPC status code and details. */
export async function expectStatus(
  call: Promise<unknown>,
  code: grpc.status,
  details: string,
): Promise<void> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason as grpc.ServiceError,
  );
  expect(error, 'the call should fail').toBeDefined();
  expect({ code: error?.code, details: error?.details }).toEqual({ code, details });
}

/** Records what the transport reports, to check the labels. */
export class RecordingMetrics implements MetricsRecorder {
  readonly done: RequestRecord[] = [];
  inFlight = 0;
  requestStarted(): void {
    this.inFlight += 1;
  }
  requestDone(record: RequestRecord): void {
    this.inFlight -= 1;
    this.done.push(record);
  }
  inferenceDone(): void {}
}

export interface Harness {
  readonly provider: FixtureProvider;
  readonly metrics: RecordingMetrics;
  readonly services: GrpcServices;
  readonly server: RunningGrpcServer;
  /** The transport loops, when the harness was started with `loops`. */
  readonly loops: RunningGrpcLoops | undefined;
  readonly address: string;
  readonly clients: ClientSet;
  close(): Promise<void>;
}

/**
 * The real gRPC server on 127.0.0.1 and an ephemeral port, serving real onnxruntime fixture
 * models: `add` (add_f32: v1, v2 AVAILABLE, v3 LOADING, v4 END), `two` (two_in_two_out),
 * `i64` (add_i64), `bools` (and_bool) and `broken` (infer fails).
 */
export async function startHarness(
  limits: Pick<GrpcServerOptions, 'maxMessageBytes' | 'memoryBudget' | 'channelOptions'> = {},
  extra: Pick<GrpcServicesOptions, 'modelControl'> = {},
  transport: { readonly loops?: number; readonly logger?: Logger } = {},
): Promise<Harness> {
  const provider = await FixtureProvider.create({
    add: [
      { version: 1, fixture: 'add_f32' },
      { version: 2, fixture: 'add_f32' },
      { version: 3, state: 'LOADING' },
      { version: 4, state: 'END' },
    ],
    two: [{ version: 1, fixture: 'two_in_two_out' }],
    i64: [{ version: 1, fixture: 'add_i64' }],
    bools: [{ version: 1, fixture: 'and_bool' }],
    broken: [{ version: 1, fixture: 'add_f32', failInfer: true }],
  });
  const metrics = new RecordingMetrics();
  const services = createGrpcServices({
    provider,
    admin: provider,
    metrics,
    serverVersion: '0.1.0-test',
    ...extra,
  });
  const loops =
    transport.loops === undefined
      ? undefined
      : await startGrpcLoops({
          services,
          host: '127.0.0.1',
          port: 0,
          ...limits,
          memoryBudget:
            limits.memoryBudget !== undefined && 'buffer' in limits.memoryBudget
              ? (limits.memoryBudget as SharedMemoryBudget)
              : createSharedMemoryBudget(limits.memoryBudget?.limitBytes ?? 0),
          loops: transport.loops,
          logger: transport.logger ?? silentLogger,
        });
  const server =
    loops ?? (await startGrpcServer({ services, host: '127.0.0.1', port: 0, ...limits }));
  const address = `127.0.0.1:${server.port}`;
  const clients = loadClients(address);
  return {
    provider,
    metrics,
    services,
    server,
    loops,
    address,
    clients,
    async close() {
      closeClients(clients);
      await server.close(1000);
      await provider.close();
    },
  };
}

/** Little-endian bytes of float32 values, as a client puts them in tensor_content. */
export function f32Bytes(values: readonly number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

/** float32 values of bytes a client received. */
export function f32Values(bytes: unknown): number[] {
  if (!(bytes instanceof Uint8Array)) throw new Error('bytes expected');
  const copy = new Uint8Array(bytes);
  return [...new Float32Array(copy.buffer)];
}
