import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHealthService } from './health-service.js';
import type { HealthServiceBinding } from './health-service.js';

const PROTOS_DIR = fileURLToPath(new URL('../../../protos', import.meta.url));

interface HealthAnswer {
  readonly status: string;
}
type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    callback: (error: grpc.ServiceError | null, answer?: HealthAnswer) => void,
  ): grpc.ClientUnaryCall;
  watch(request: { service: string }): grpc.ClientReadableStream<HealthAnswer>;
};

// An independent client: @grpc/proto-loader reading protos/grpc/health/v1/health.proto.
function healthClient(address: string): HealthClient {
  const definition = protoLoader.loadSync('grpc/health/v1/health.proto', {
    includeDirs: [PROTOS_DIR],
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const Health = loaded.grpc.health.v1.Health;
  return new Health(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

/** The messages of one Watch stream, in order, and how it ended. */
class WatchRecorder {
  readonly statuses: string[] = [];
  readonly ended: Promise<grpc.StatusObject>;
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly stream: grpc.ClientReadableStream<HealthAnswer>) {
    stream.on('data', (answer: HealthAnswer) => {
      this.statuses.push(answer.status);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (this.statuses.length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
    });
    stream.on('error', () => {}); // the status event carries it
    this.ended = new Promise((resolve) => stream.on('status', resolve));
  }

  /** Resolves once `count` messages arrived. */
  received(count: number): Promise<readonly string[]> {
    if (this.statuses.length >= count) return Promise.resolve(this.statuses);
    return new Promise((resolve) =>
      this.#waiters.push({ count, resolve: () => resolve(this.statuses) }),
    );
  }
}

let ready: boolean;
let health: HealthServiceBinding;
let server: grpc.Server;
let client: HealthClient;

beforeEach(async () => {
  ready = false;
  health = createHealthService({
    isReady: () => ready,
    serviceNames: ['inference.GRPCInferenceService', 'grpc.health.v1.Health'],
  });
  server = new grpc.Server();
  server.addService(health.definition, health.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  client = healthClient(`127.0.0.1:${port}`);
});
afterEach(async () => {
  client.close();
  health.shutdown();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

const check = (service: string): Promise<HealthAnswer> =>
  new Promise((resolve, reject) =>
    client.check({ service }, (error, answer) => (error ? reject(error) : resolve(answer!))),
  );

describe('Check', () => {
  it('answers for the server ("") and each served service: NOT_SERVING until ready, then SERVING', async () => {
    const services = ['', 'inference.GRPCInferenceService', 'grpc.health.v1.Health'];
    expect(await Promise.all(services.map(check))).toEqual(
      services.map(() => ({ status: 'NOT_SERVING' })),
    );
    ready = true;
    expect(await Promise.all(services.map(check))).toEqual(
      services.map(() => ({ status: 'SERVING' })),
    );
  });

  it('fails with NOT_FOUND for a service the server does not serve', async () => {
    await expect(check('tensorflow.serving.Nope')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'unknown service: tensorflow.serving.Nope',
    });
  });

  it('answers NOT_SERVING after shutdown, ready or not', async () => {
    ready = true;
    health.shutdown();
    expect(await check('')).toEqual({ status: 'NOT_SERVING' });
  });
});

describe('Watch', () => {
  it('sends the status now, then each change once, and ends with OK at shutdown', async () => {
    const watch = new WatchRecorder(client.watch({ service: '' }));
    expect(await watch.received(1)).toEqual(['NOT_SERVING']);
    health.refresh(); // nothing changed: nothing is sent
    ready = true;
    health.refresh();
    expect(await watch.received(2)).toEqual(['NOT_SERVING', 'SERVING']);
    health.shutdown();
    expect((await watch.ended).code).toBe(grpc.status.OK);
    expect(watch.statuses).toEqual(['NOT_SERVING', 'SERVING', 'NOT_SERVING']);
  });

  it('answers SERVICE_UNKNOWN for an unknown service and keeps the stream open until shutdown', async () => {
    const unknown = new WatchRecorder(client.watch({ service: 'nope.Service' }));
    expect(await unknown.received(1)).toEqual(['SERVICE_UNKNOWN']);
    ready = true;
    health.refresh();
    health.shutdown();
    // Everything sent on the stream arrives before its end: readiness never reached it.
    expect((await unknown.ended).code).toBe(grpc.status.OK);
    expect(unknown.statuses).toEqual(['SERVICE_UNKNOWN']);
  });

  it('ends at once, after the status, when the server is already stopping', async () => {
    health.shutdown();
    const watch = new WatchRecorder(client.watch({ service: '' }));
    expect((await watch.ended).code).toBe(grpc.status.OK);
    expect(watch.statuses).toEqual(['NOT_SERVING']);
  });
});
