import type { Worker } from 'node:worker_threads';
import { loopWorkerModule, postToLoop, startTransportLoops } from '@ovms/core';
import type { Logger, LoopPeer, SharedMemoryBudget, TransportLoopControl } from '@ovms/core';
import type { LoopCalls } from './loop-calls.js';
import type { HostMessage, LoopMessage, LoopWorkerData } from './loop-protocol.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './server.js';
import type { GrpcServerOptions, RunningGrpcServer } from './server.js';

const WORKER = loopWorkerModule(import.meta.url, 'grpc-loop-worker');

export interface GrpcLoopsOptions extends Omit<GrpcServerOptions, 'memoryBudget' | 'logger'> {
  /** How many transport loops (worker threads) accept on the port; at least 2. */
  readonly loops: number;
  /** The server-wide budget, held in shared memory so every loop and REST count against it. */
  readonly memoryBudget: SharedMemoryBudget;
  /** Where loops that end unexpectedly and each loop's request count at stop are logged. */
  readonly logger: Logger;
}

/** The gRPC server of `--grpc_workers` > 1. */
export interface RunningGrpcLoops extends RunningGrpcServer, TransportLoopControl {}

/**
 * Serves OVMS's gRPC services on `loops` event loops: worker threads that each accept on
 * host:port (SO_REUSEPORT), run HTTP/2, protobuf and tensor decoding and encoding, and send
 * model calls (inputs transferred, not copied) to this thread, where the model manager and
 * its leases, statistics and metrics live; other RPCs are forwarded whole and answered by
 * `services`' own handlers. A loop that ends unexpectedly is logged and replaced.
 */
export async function startGrpcLoops(options: GrpcLoopsOptions): Promise<RunningGrpcLoops> {
  const { services } = options;
  const loops = await startTransportLoops<LoopWorkerData, LoopMessage>({
    name: 'gRPC',
    worker: WORKER,
    loops: options.loops,
    port: options.port,
    dataFor: (loop, port) => ({
      loop,
      host: options.host,
      port,
      channelOptions: options.channelOptions ?? {},
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      tls: options.tls,
      apiKey: options.apiKey,
      budget: { buffer: options.memoryBudget.buffer, limitBytes: options.memoryBudget.limitBytes },
      ready: services.healthService.serving(),
    }),
    connect: (worker) => connectLoop(worker, services.loopCalls),
    logger: options.logger,
  });
  services.healthService.onRefresh(() => {
    const message: HostMessage = { kind: 'ready', ready: services.healthService.serving() };
    loops.broadcast(message);
  });
  return {
    port: loops.port,
    requests: () => loops.requests(),
    endLoop: (index) => loops.endLoop(index),
    async close(graceMs) {
      services.healthService.shutdown();
      const stop: HostMessage = { kind: 'stop', graceMs };
      await loops.close(stop, graceMs);
    },
  };
}

function send(worker: Worker, message: HostMessage, transfer: ArrayBuffer[] = []): void {
  postToLoop(worker, message, transfer);
}

/** This thread's side of a loop: its model calls and forwarded RPCs, run here. */
function connectLoop(worker: Worker, calls: LoopCalls): LoopPeer<LoopMessage> {
  const inFlight = new Map<number, AbortController>();
  return {
    ended() {
      for (const controller of inFlight.values()) controller.abort();
    },
    receive(message) {
      switch (message.kind) {
        case 'infer': {
          const controller = new AbortController();
          inFlight.set(message.id, controller);
          void calls.infer(message, controller.signal).then((answer) => {
            inFlight.delete(message.id);
            send(worker, answer.message, answer.transfer);
          });
          return true;
        }
        case 'cancel':
          inFlight.get(message.id)?.abort();
          return false;
        case 'call':
          void calls.call(message).then((answer) => send(worker, answer.message));
          return true;
      }
    },
  };
}
