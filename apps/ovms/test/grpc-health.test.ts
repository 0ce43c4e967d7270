import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { freePort } from '@ovms/storage/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, PROTOS_DIR } from './support/paths.js';
import { run } from './support/process.js';
import { startServerProcess } from './support/server-process.js';
import type { ServerProcess } from './support/server-process.js';

// gRPC health checking and server reflection through the real `ovms` command. The one model
// loads through a test plugin engine that waits for a gate file, so the test sees the server
// live but not ready, opens the gate, and watches it become SERVING.

const GATE_ENGINE = `
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const exists = (path) => access(path).then(() => true, () => false);

export default function register(api) {
  api.registerEngine({
    name: 'gate',
    canLoad: (dir) => exists(join(dir, 'model.gate')),
    async load(dir) {
      const gate = (await readFile(join(dir, 'model.gate'), 'utf8')).trim();
      while (!(await exists(gate))) await sleep(50);
      const spec = { name: 'x', dtype: 'FP32', shape: [-1, 1] };
      return {
        inputs: [spec],
        outputs: [{ ...spec, name: 'y' }],
        infer: async (inputs) => new Map([['y', inputs.get('x')]]),
        close: async () => {},
      };
    },
  });
}
`;

const GRPCURL = join(PROJECT_ROOT, '.cache/bin/grpcurl');
const SERVED = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
  'inference.GRPCInferenceService',
  'tensorflow.serving.ModelService',
  'tensorflow.serving.PredictionService',
];

interface HealthAnswer {
  readonly status: string;
}
type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, answer?: HealthAnswer) => void,
  ): grpc.ClientUnaryCall;
  watch(
    request: { service: string },
    options: grpc.CallOptions,
  ): grpc.ClientReadableStream<HealthAnswer>;
};

/** A Watch stream's messages as they come, and the status it ends with. */
class Watch {
  readonly statuses: string[] = [];
  readonly ended: Promise<grpc.StatusObject>;
  readonly #waiters: { status: string; resolve: () => void }[] = [];

  constructor(stream: grpc.ClientReadableStream<HealthAnswer>) {
    stream.on('data', ({ status }: HealthAnswer) => {
      this.statuses.push(status);
      for (const waiter of this.#waiters.filter((w) => w.status === status)) waiter.resolve();
    });
    stream.on('error', () => {}); // `ended` reports it
    this.ended = new Promise((resolve) => stream.on('status', resolve));
  }

  /** Resolves once `status` has been received. */
  sees(status: string): Promise<void> {
    if (this.statuses.includes(status)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ status, resolve }));
  }
}

let dir: string;
let gate: string;
let grpcPort: number;
let server: ServerProcess;
let health: HealthClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovms-grpc-health-'));
  gate = join(dir, 'gate');
  await mkdir(join(dir, 'models/gated/1'), { recursive: true });
  await writeFile(join(dir, 'models/gated/1/model.gate'), gate);
  await writeFile(join(dir, 'gate-engine.mjs'), GATE_ENGINE);
  const config = {
    model_config_list: [
      { config: { name: 'gated', base_path: join(dir, 'models/gated'), engine: 'gate' } },
    ],
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  grpcPort = await freePort();
  server = await startServerProcess(
    [
      ...['--config_path', join(dir, 'config.json'), '--plugins', join(dir, 'gate-engine.mjs')],
      ...['--port', String(grpcPort), '--grpc_bind_address', '127.0.0.1'],
    ],
    {},
  );
  const definition = protoLoader.loadSync('grpc/health/v1/health.proto', {
    includeDirs: [PROTOS_DIR],
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  health = new loaded.grpc.health.v1.Health(
    `127.0.0.1:${grpcPort}`,
    grpc.credentials.createInsecure(),
  ) as unknown as HealthClient;
  // The server listens a moment after it starts (plugins load first).
  await new Promise<void>((resolve, reject) =>
    health.waitForReady(Date.now() + 50_000, (error) => (error ? reject(error) : resolve())),
  );
}, 60_000);
afterAll(async () => {
  health?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const check = (service: string): Promise<HealthAnswer> =>
  new Promise((resolve, reject) =>
    health.check({ service }, { deadline: Date.now() + 20_000 }, (error, answer) =>
      error ? reject(error) : resolve(answer!),
    ),
  );
const watch = (service: string) => new Watch(health.watch({ service }, {}));

async function grpcurl(...args: string[]): Promise<string> {
  if (!existsSync(GRPCURL)) throw new Error(`${GRPCURL} missing: run scripts/ensure-grpcurl.sh`);
  const result = await run(GRPCURL, ['-plaintext', ...args], { timeoutMs: 30_000 });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

describe('grpc.health.v1.Health through ovms', () => {
  let server0: Watch;

  it('is NOT_SERVING while the models load, for the server and each service', async () => {
    server0 = watch('');
    await server0.sees('NOT_SERVING');
    expect(await check('')).toEqual({ status: 'NOT_SERVING' });
    expect(await check('inference.GRPCInferenceService')).toEqual({ status: 'NOT_SERVING' });
    expect(existsSync(gate)).toBe(false);
  });

  it('Watch sees SERVING once the initial load is over, and Check agrees', async () => {
    await writeFile(gate, '');
    await server0.sees('SERVING');
    expect(server0.statuses).toEqual(['NOT_SERVING', 'SERVING']);
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check('tensorflow.serving.PredictionService')).toEqual({ status: 'SERVING' });
  });

  it('an unknown service is NOT_FOUND on Check and SERVICE_UNKNOWN on Watch', async () => {
    await expect(check('gated')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'unknown service: gated',
    });
    const unknown = watch('no.such.Service');
    await unknown.sees('SERVICE_UNKNOWN');
    expect(unknown.statuses).toEqual(['SERVICE_UNKNOWN']);
  });
});

describe('server reflection through ovms, with grpcurl', () => {
  it('lists every service', async () => {
    expect((await grpcurl(`127.0.0.1:${grpcPort}`, 'list')).trim().split('\n')).toEqual(SERVED);
  });

  it("describes KServe's GRPCInferenceService and its messages", async () => {
    const service = await grpcurl(
      `127.0.0.1:${grpcPort}`,
      'describe',
      'inference.GRPCInferenceService',
    );
    expect(service).toContain('inference.GRPCInferenceService is a service:');
    expect(service).toContain(
      'rpc ModelInfer ( .inference.ModelInferRequest ) returns ( .inference.ModelInferResponse );',
    );
    expect(service).toContain(
      'rpc ModelStreamInfer ( stream .inference.ModelInferRequest ) returns ( stream .inference.ModelStreamInferResponse );',
    );
    const message = await grpcurl(
      `127.0.0.1:${grpcPort}`,
      'describe',
      'inference.ModelInferRequest',
    );
    expect(message).toContain('inference.ModelInferRequest is a message:');
    expect(message).toContain('repeated bytes raw_input_contents = 7;');
  });

  it('calls a method by reflection alone: Health/Check and KServe ModelReady', async () => {
    const address = `127.0.0.1:${grpcPort}`;
    expect(JSON.parse(await grpcurl(address, 'grpc.health.v1.Health/Check'))).toEqual({
      status: 'SERVING',
    });
    const ready = await grpcurl(
      ...['-d', '{"name": "gated"}', address, 'inference.GRPCInferenceService/ModelReady'],
    );
    expect(JSON.parse(ready)).toEqual({ ready: true });
  });
});

describe('stopping ovms', () => {
  it('tells every Watch NOT_SERVING and ends it, so the drain is not held open', async () => {
    const serverWatch = watch('');
    await serverWatch.sees('SERVING');
    const serviceWatch = watch('inference.GRPCInferenceService');
    await serviceWatch.sees('SERVING');
    await server.stop();
    // OK, not CANCELLED: the server ended the streams itself instead of cutting them at the
    // end of the drain.
    expect((await serverWatch.ended).code).toBe(grpc.status.OK);
    expect((await serviceWatch.ended).code).toBe(grpc.status.OK);
    expect(serverWatch.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    expect(serviceWatch.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    expect(server.output()).toContain('Server stopped');
  });
});
