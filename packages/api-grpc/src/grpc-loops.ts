import { Worker } from 'node:worker_threads';
import type { Logger } from '@ovms/core';
import type { LoopCalls } from './loop-calls.js';
import type { HostMessage, LoopMessage, LoopWorkerData } from './loop-protocol.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './server.js';
import type { GrpcServerOptions, RunningGrpcServer } from './server.js';
import type { SharedMemoryBudget } from './shared-memory-budget.js';

// From source (tests, `node --import tsx`) the thread runs the .ts file and needs tsx to load it.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(
  FROM_SOURCE ? './grpc-loop-worker.ts' : './grpc-loop-worker.js',
  import.meta.url,
);
const WORKER_EXEC_ARGV = FROM_SOURCE ? ['--conditions=@ovms/source', '--import', 'tsx'] : undefined;

export interface GrpcLoopsOptions extends Omit<GrpcServerOptions, 'memoryBudget' | 'logger'> {
  /** How many transport loops (worker threads) accept on the port; at least 2. */
  readonly loops: number;
  /** The server-wide budget, held in shared memory so every loop and REST count against it. */
  readonly memoryBudget: SharedMemoryBudget;
  /** Where loops that end unexpectedly and each loop's request count at stop are logged. */
  readonly logger: Logger;
}

/** The gRPC server of `--grpc_workers` > 1. */
export interface RunningGrpcLoops extends RunningGrpcServer {
  /** Requests each loop passed to the main thread so far (index = loop). */
  requests(): readonly number[];
  /**
   * Ends loop `index` abruptly, as a crash would (its connections drop); like any loop that
   * ends unexpectedly it is logged and replaced. Resolves once the replacement listens.
   */
  endLoop(index: number): Promise<void>;
}

interface Loop {
  readonly worker: Worker;
  /** Resolves with the bound port; rejects if the thread ends before it listens. */
  readonly listening: Promise<number>;
  readonly exited: Promise<void>;
  /** Whether it ever listened (a loop that never did is not replaced: it would fail again). */
  listened: boolean;
  requests: number;
  error: Error | undefined;
}

/**
 * Serves OVMS's gRPC services on `loops` event loops: worker threads that each accept on
 * host:port (SO_REUSEPORT), run HTTP/2, protobuf and tensor decoding and encoding, and send
 * model calls (inputs transferred, not copied) to this thread, where the model manager and
 * its leases, statistics and metrics live; other RPCs are forwarded whole and answered by
 * `services`' own handlers. A loop that ends unexpectedly is logged and replaced.
 */
export async function startGrpcLoops(options: GrpcLoopsOptions): Promise<RunningGrpcLoops> {
  const { services, logger } = options;
  const loops: Loop[] = [];
  let stopping = false;
  let boundPort: number | undefined;
  const dataFor = (loop: number, port: number): LoopWorkerData => ({
    loop,
    host: options.host,
    port,
    channelOptions: options.channelOptions ?? {},
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    tls: options.tls,
    apiKey: options.apiKey,
    budget: { buffer: options.memoryBudget.buffer, limitBytes: options.memoryBudget.limitBytes },
    ready: services.healthService.serving(),
  });
  const start = (index: number, port: number): Loop => {
    const loop = startLoop(dataFor(index, port), services.loopCalls);
    loops[index] = loop;
    void loop.exited.then(() => {
      if (stopping) return;
      logger.error(
        { loop: index, err: loop.error },
        'gRPC transport loop ended unexpectedly; starting a new one',
      );
      // The port every loop shares (the first loop may have been asked for any free one).
      if (loop.listened) start(index, boundPort ?? port);
    });
    return loop;
  };

  const first = start(0, options.port);
  let port: number;
  try {
    port = boundPort = await first.listening;
    for (let index = 1; index < options.loops; index += 1) start(index, port);
    await Promise.all(loops.map((loop) => loop.listening));
  } catch (error) {
    stopping = true;
    await Promise.all(loops.map((loop) => loop.worker.terminate()));
    throw error;
  }

  services.healthService.onRefresh(() => {
    const ready = services.healthService.serving();
    for (const loop of loops) send(loop.worker, { kind: 'ready', ready });
  });
  return {
    port,
    requests: () => loops.map((loop) => loop.requests),
    async endLoop(index) {
      const loop = loops[index];
      if (loop === undefined) throw new RangeError(`no transport loop ${index}`);
      await loop.worker.terminate();
      await loop.exited;
      await loops[index]?.listening;
    },
    async close(graceMs) {
      stopping = true;
      services.healthService.shutdown();
      await Promise.all(
        loops.map(async (loop, index) => {
          send(loop.worker, { kind: 'stop', graceMs });
          // A loop that does not end after its grace (and a little more) is ended.
          const timer = setTimeout(() => void loop.worker.terminate(), graceMs + 1_000);
          await loop.exited;
          clearTimeout(timer);
          logger.info({ loop: index, requests: loop.requests }, 'gRPC transport loop stopped');
        }),
      );
    },
  };
}

function send(worker: Worker, message: HostMessage, transfer: ArrayBuffer[] = []): void {
  // A loop that has ended takes no answers; its calls were cancelled when it ended.
  try {
    worker.postMessage(message, transfer);
  } catch {
    /* ended */
  }
}

function startLoop(data: LoopWorkerData, calls: LoopCalls): Loop {
  const worker = new Worker(WORKER_URL, {
    workerData: data,
    ...(WORKER_EXEC_ARGV !== undefined && { execArgv: WORKER_EXEC_ARGV }),
  });
  const inFlight = new Map<number, AbortController>();
  let listened: ((port: number) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    listened = resolve;
    failed = reject;
  });
  listening.catch(() => {});
  const loop: Loop = {
    worker,
    listening,
    exited: new Promise<void>((resolve) =>
      worker.once('exit', () => {
        for (const controller of inFlight.values()) controller.abort();
        failed?.(loop.error ?? new Error('gRPC transport loop ended before listening'));
        resolve();
      }),
    ),
    listened: false,
    requests: 0,
    error: undefined,
  };
  worker.on('error', (error: Error) => (loop.error = error));
  worker.on('message', (message: LoopMessage) => {
    switch (message.kind) {
      case 'listening':
        loop.listened = true;
        listened?.(message.port);
        return;
      case 'infer': {
        loop.requests += 1;
        const controller = new AbortController();
        inFlight.set(message.id, controller);
        void calls.infer(message, controller.signal).then((answer) => {
          inFlight.delete(message.id);
          send(worker, answer.message, answer.transfer);
        });
        return;
      }
      case 'cancel':
        inFlight.get(message.id)?.abort();
        return;
      case 'call':
        loop.requests += 1;
        void calls.call(message).then((answer) => send(worker, answer.message));
        return;
      case 'stopped':
        // Drained and answered: nothing of the thread is needed any more.
        void worker.terminate();
        return;
    }
  });
  return loop;
}
