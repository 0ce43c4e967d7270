import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlArgs, writeControlRepository } from './support/control-repository.js';
import { createGrpcClients, f32Bytes, f32Values, unary } from './support/grpc.js';
import type { GrpcClients, Message } from './support/grpc.js';
import { loopRequests } from './support/loop-log.js';
import { startReadyServer } from './support/server-process.js';
import type { GrpcServerProcess } from './support/server-process.js';

// `--grpc_workers 2` on the real `ovms` binary: connections spread over two transport loops,
// every request reaches the one model instance of the main thread, an unload and SIGTERM
// under load fail no admitted request (docs/performance.md "Transport loops").
const LOOPS = 2;
const A = [1, 2, 3, 4];
const SUM = A.map((a) => a + a);
const inferAdd = (version: string): Message => ({
  model_name: 'add',
  model_version: version,
  inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 4] })),
  raw_input_contents: [f32Bytes(A), f32Bytes(A)],
});

let root: string;
let server: GrpcServerProcess;

beforeAll(async () => {
  root = await writeControlRepository();
  server = await startReadyServer([
    ...controlArgs(root, 'explicit'),
    ...['--grpc_workers', String(LOOPS)],
  ]);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/**
 * Calls that reached the model server: answered OK or with its error, not refused at the door
 * (UNAVAILABLE: no loop accepting, or the connection going away before the call was sent).
 */
let reached = 0;

/** `unary`, counting the calls that reached the server. */
async function call(client: grpc.Client, method: string, request: Message): Promise<Message> {
  try {
    const answer = await unary(client, method, request);
    reached += 1;
    return answer;
  } catch (error) {
    if ((error as grpc.ServiceError).code !== grpc.status.UNAVAILABLE) reached += 1;
    throw error;
  }
}

/** Clients with a connection of their own, as separate client processes have. */
const connect = (): GrpcClients =>
  createGrpcClients(server.grpcAddress, undefined, { 'grpc.use_local_subchannel_pool': 1 });

/** Each client's ModelInfer in a loop until `stop()`; what each call ended with. */
function load(clients: readonly GrpcClients[], version: string) {
  const answers: string[] = [];
  let served = 0;
  let stopping = false;
  const running = clients.map(async (client) => {
    while (!stopping) {
      try {
        const answer = await call(client.inference, 'ModelInfer', inferAdd(version));
        expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
        served += 1;
      } catch (error) {
        const { code, details } = error as grpc.ServiceError;
        answers.push(`${grpc.status[code]} ${details}`);
      }
    }
  });
  return {
    served: () => served,
    failures: () => answers,
    stop: async () => {
      stopping = true;
      await Promise.all(running);
    },
  };
}

describe('gRPC transport loops (--grpc_workers 2)', () => {
  it('an unload under load across loops fails no admitted request', async () => {
    const control = connect();
    await call(control.inference, 'RepositoryModelLoad', { model_name: 'add' });
    const clients = Array.from({ length: 8 }, connect);
    const running = load(clients, '');
    try {
      await expect.poll(() => running.served(), { timeout: 30_000 }).toBeGreaterThan(40);
      await call(control.inference, 'RepositoryModelUnload', { model_name: 'add' });
      await expect.poll(() => running.failures().length, { timeout: 30_000 }).toBeGreaterThan(8);
      await running.stop();
      // Refused before a lease (the model is UNLOADING or gone), never failed once admitted.
      expect(new Set(running.failures())).toEqual(
        new Set(['NOT_FOUND Model with requested version is not found']),
      );
    } finally {
      for (const client of [control, ...clients]) client.close();
    }
  }, 120_000);

  it('spreads connections over every loop, all reaching one model instance; SIGTERM under load answers every admitted request', async () => {
    const control = connect();
    await call(control.inference, 'RepositoryModelLoad', { model_name: 'add' });
    const inferences = async (): Promise<number> => {
      const stats = await call(control.inference, 'ModelStatistics', { name: 'add' });
      const [only] = stats['model_stats'] as { version: string; inference_count: string }[];
      expect(only?.version).toBe('2');
      return Number(only?.inference_count);
    };
    const before = await inferences();
    const clients = Array.from({ length: 16 }, connect);
    try {
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 10; i += 1) {
            const answer = await call(client.inference, 'ModelInfer', inferAdd('2'));
            expect(f32Values((answer['raw_output_contents'] as Uint8Array[])[0])).toEqual(SUM);
          }
        }),
      );
      // One model instance, in the main thread, counted every inference of both loops.
      expect((await inferences()) - before).toBe(160);

      const running = load(clients, '2');
      await expect.poll(() => running.served(), { timeout: 30_000 }).toBeGreaterThan(100);
      const stopped = server.stop();
      await running.stop();
      await stopped;
      const perLoop = loopRequests(server.output(), 'gRPC');
      expect(perLoop).toHaveLength(LOOPS);
      expect(perLoop.every((requests) => requests > 0)).toBe(true);
      // Every call the loops passed to the model server (both cases) was answered, and each
      // call that failed under SIGTERM was refused at the door.
      expect(new Set(running.failures().map((failure) => failure.split(' ')[0]))).toEqual(
        new Set(running.failures().length === 0 ? [] : ['UNAVAILABLE']),
      );
      expect(server.output()).toContain('"msg":"Server stopped"');
      expect(perLoop.reduce((sum, requests) => sum + requests, 0)).toBe(reached);
    } finally {
      for (const client of [control, ...clients]) client.close();
    }
  }, 120_000);
});
