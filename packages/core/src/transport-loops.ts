import { Worker } from 'node:worker_threads';
import type { Tensor, TensorMap } from './tensor.js';
import type { Logger } from './logger.js';
import type { StatusCode } from './status.js';

/** What every transport loop reports besides its own traffic. */
export type LoopLifecycleMessage =
  | { readonly kind: 'listening'; readonly port: number }
  | {
      readonly kind: 'stopped';
    };

/** This thread's side of one loop: what it does with the loop's other messages. */
export interface LoopPeer<Message> {
  /** Handles a message of the loop's own protocol; true if it was a request (counted). */
  receive(message: Exclude<Message, LoopLifecycleMessage>): boolean;
  /** The loop ended: whatever it asked for and is still running here is cancelled. */
  ended(): void;
  /** Counts of its own the transport logs with the loop's request count at stop. */
  counts?(): Readonly<Record<string, number>>;
}

export interface TransportLoopsOptions<Data, Message> {
  /** "gRPC", "REST": how the logs name these loops. */
  readonly name: string;
  /** The worker's module (see loopWorkerModule). */
  readonly worker: LoopWorkerModule;
  /** How many loops accept on the port; at least 2. */
  readonly loops: number;
  /** The port asked for; 0 = any free one, which the first loop binds and the others share. */
  readonly port: number;
  /** The workerData of loop `loop` listening on `port`. */
  dataFor(loop: number, port: number): Data;
  /** This thread's side of a new loop's worker. */
  connect(worker: Worker): LoopPeer<Message>;
  /** Where loops that end unexpectedly and each loop's request count at stop are logged. */
  readonly logger: Logger;
}

/** A worker's module and the Node flags it needs (tsx when running from source). */
export interface LoopWorkerModule {
  readonly url: URL;
  readonly execArgv: string[] | undefined;
}

/**
 * The module `name` (no extension) beside `base` (the caller's `import.meta.url`): its `.ts`
 * run through tsx when the caller runs from source (tests), its `.js` when built.
 */
export function loopWorkerModule(base: string, name: string): LoopWorkerModule {
  const fromSource = base.endsWith('.ts');
  return {
    url: new URL(`./${name}${fromSource ? '.ts' : '.js'}`, base),
    execArgv: fromSource ? ['--conditions=@ovms/source', '--import', 'tsx'] : undefined,
  };
}

/** What a running set of loops offers its transport's callers (and tests). */
export interface TransportLoopControl {
  /** Requests each loop passed to this thread so far (index = loop). */
  requests(): readonly number[];
  /**
   * Ends loop `index` abruptly, as a crash would (its connections drop); like any loop that
   * ends unexpectedly it is logged and replaced. Resolves once the replacement listens.
   */
  endLoop(index: number): Promise<void>;
}

/** Worker threads that each accept on one port (SO_REUSEPORT), replaced when one dies. */
export interface TransportLoops extends TransportLoopControl {
  readonly port: number;
  /** Posts `message` to every loop (one that has ended takes nothing). */
  broadcast(message: unknown): void;
  /**
   * Sends every loop `stop` (it drains, then reports `stopped`), ends one still running
   * `graceMs` (and a second) later, and logs each loop's request count.
   */
  close(stop: unknown, graceMs: number): Promise<void>;
}

interface Loop {
  readonly worker: Worker;
  readonly peer: Pick<LoopPeer<unknown>, 'counts'>;
  /** Resolves with the bound port; rejects if the thread ends before it listens. */
  readonly listening: Promise<number>;
  readonly exited: Promise<void>;
  /** Whether it ever listened (a loop that never did is not replaced: it would fail again). */
  listened: boolean;
  requests: number;
  error: Error | undefined;
}

/** `message` to `worker`, unless it has ended (its requests were cancelled when it did). */
export function postToLoop(worker: Worker, message: unknown, transfer: ArrayBuffer[] = []): void {
  try {
    worker.postMessage(message, transfer);
  } catch {
    /* ended */
  }
}

/**
 * Starts `loops` transport loops and resolves once all listen; rejects with the first one's
 * error (a port in use) after ending the others. The transports' own protocols ride on top
 * (`connect`); this keeps them running: a loop that ends unexpectedly is logged and replaced.
 */
export async function startTransportLoops<Data, Message>(
  options: TransportLoopsOptions<Data, Message>,
): Promise<TransportLoops> {
  const { logger, name } = options;
  const loops: Loop[] = [];
  let stopping = false;
  let boundPort: number | undefined;
  const start = (index: number, port: number): Loop => {
    const loop = startLoop(options, options.dataFor(index, port));
    loops[index] = loop;
    void loop.exited.then(() => {
      if (stopping) return;
      logger.error(
        { loop: index, err: loop.error },
        `${name} transport loop ended unexpectedly; starting a new one`,
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
  return {
    port,
    requests: () => loops.map((loop) => loop.requests),
    broadcast(message) {
      for (const loop of loops) postToLoop(loop.worker, message);
    },
    async endLoop(index) {
      const loop = loops[index];
      if (loop === undefined) throw new RangeError(`no transport loop ${index}`);
      await loop.worker.terminate();
      await loop.exited;
      await loops[index]?.listening;
    },
    async close(stop, graceMs) {
      stopping = true;
      await Promise.all(
        loops.map(async (loop, index) => {
          postToLoop(loop.worker, stop);
          // A loop that does not end after its grace (and a little more) is ended.
          const timer = setTimeout(() => void loop.worker.terminate(), graceMs + 1_000);
          await loop.exited;
          clearTimeout(timer);
          const counts = { loop: index, requests: loop.requests, ...loop.peer.counts?.() };
          logger.info(counts, `${name} transport loop stopped`);
        }),
      );
    },
  };
}

function startLoop<Data, Message>(options: TransportLoopsOptions<Data, Message>, data: Data): Loop {
  const { url, execArgv } = options.worker;
  const worker = new Worker(url, { workerData: data, ...(execArgv !== undefined && { execArgv }) });
  const peer = options.connect(worker);
  let listened: ((port: number) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    listened = resolve;
    failed = reject;
  });
  listening.catch(() => {});
  const loop: Loop = {
    worker,
    peer,
    listening,
    exited: new Promise<void>((resolve) =>
      worker.once('exit', () => {
        peer.ended();
        failed?.(loop.error ?? new Error(`${options.name} transport loop ended before listening`));
        resolve();
      }),
    ),
    listened: false,
    requests: 0,
    error: undefined,
  };
  worker.on('error', (error: Error) => (loop.error = error));
  worker.on('message', (message: LoopLifecycleMessage | Message) => {
    const lifecycle = message as Partial<LoopLifecycleMessage>;
    if (lifecycle.kind === 'listening') {
      loop.listened = true;
      listened?.((message as { port: number }).port);
    } else if (lifecycle.kind === 'stopped') {
      // Drained and answered: nothing of the thread is needed any more.
      void worker.terminate();
    } else if (peer.receive(message as Exclude<Message, LoopLifecycleMessage>)) {
      loop.requests += 1;
    }
  });
  return loop;
}

/**
 * A tensor as it crosses between a transport loop and the main thread: its bytes in one
 * ArrayBuffer of its own, transferred rather than cloned (a view's clone would copy the whole
 * buffer under it: the request message, or a pooled slab). BYTES elements are packed one after
 * the other, `lengths` telling them apart.
 */
export interface WireTensor {
  readonly name: string;
  readonly dtype: Tensor['dtype'];
  readonly shape: readonly number[];
  readonly data: Uint8Array;
  readonly lengths: readonly number[] | undefined;
}

/** Why a loop could not decode a request's inputs: a ServingError's code and detail. */
export interface InputsError {
  readonly code: StatusCode;
  readonly detail: string | undefined;
}

/** A model call's outputs, sent from the main thread to the loop that decoded its inputs. */
export interface LoopInferred {
  readonly kind: 'inferred';
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly outputs: readonly WireTensor[];
}

/** `tensors` as WireTensors, each copied into a buffer of its own listed in `transfer`. */
export function toWireTensors(tensors: TensorMap, transfer: ArrayBuffer[]): WireTensor[] {
  const wire: WireTensor[] = [];
  for (const [name, tensor] of tensors) {
    let data: Uint8Array;
    let lengths: number[] | undefined;
    if (tensor.dtype === 'BYTES') {
      lengths = tensor.data.map((element) => element.byteLength);
      data = new Uint8Array(new ArrayBuffer(lengths.reduce((sum, length) => sum + length, 0)));
      let offset = 0;
      for (const element of tensor.data) {
        data.set(element, offset);
        offset += element.byteLength;
      }
    } else {
      data = new Uint8Array(new ArrayBuffer(tensor.data.byteLength));
      data.set(tensor.data);
    }
    transfer.push(data.buffer as ArrayBuffer);
    wire.push({ name, dtype: tensor.dtype, shape: tensor.shape, data, lengths });
  }
  return wire;
}

/** The TensorMap of WireTensors received (views of their buffers, no copy). */
export function fromWireTensors(wire: readonly WireTensor[]): TensorMap {
  const tensors: TensorMap = new Map();
  for (const tensor of wire) {
    if (tensor.dtype === 'BYTES') {
      const elements: Uint8Array[] = [];
      let offset = 0;
      for (const length of tensor.lengths ?? []) {
        elements.push(tensor.data.subarray(offset, offset + length));
        offset += length;
      }
      tensors.set(tensor.name, { dtype: 'BYTES', shape: tensor.shape, data: elements });
    } else {
      tensors.set(tensor.name, { dtype: tensor.dtype, shape: tensor.shape, data: tensor.data });
    }
  }
  return tensors;
}
