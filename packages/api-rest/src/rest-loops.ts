import type { Worker } from 'node:worker_threads';
import { ServingError, loopWorkerModule, postToLoop, startTransportLoops } from '@ovms/core';
import type {
  InputsError,
  Logger,
  LoopPeer,
  ServerTls,
  SharedMemoryBudget,
  TransportLoopControl,
} from '@ovms/core';
import { DEFAULT_MAX_JSON_BYTES } from '@ovms/codecs';
import type { RestApp } from './app.js';
import { loopInferSide, loopSpecs, runLoopInfer } from './loop-infer.js';
import type { LoopInferSide } from './loop-infer.js';
import { ownBuffer } from './rest-loop-protocol.js';
import type { RestHostMessage, RestLoopMessage, RestLoopWorkerData } from './rest-loop-protocol.js';
import type { RestServer, RestTimeouts } from './server.js';

const WORKER = loopWorkerModule(import.meta.url, 'rest-loop-worker');

/** Responses streamed to the client as they come (server-sent events); others go whole. */
const EVENT_STREAM = 'text/event-stream';
/** Methods whose requests carry no body (a Request refuses one). */
const BODYLESS = new Set(['GET', 'HEAD']);
/** Hop-by-hop headers of the loop's connection; the forwarded body is whole, its length known. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export interface RestLoopsOptions {
  /** The app every request is answered by, in this thread. */
  readonly app: RestApp;
  readonly host: string;
  readonly port: number;
  /** How many transport loops (worker threads) accept on the port; at least 2. */
  readonly loops: number;
  readonly timeouts?: Partial<RestTimeouts>;
  readonly tls?: ServerTls;
  /** Largest body a loop reads (the app's `maxBodyBytes`); larger is 413 in the loop. */
  readonly maxBodyBytes?: number;
  /** The server-wide budget's shared counter and cap, which loops count bodies against. */
  readonly memoryBudget: Pick<SharedMemoryBudget, 'buffer' | 'limitBytes'>;
  /** Where loops that end unexpectedly and each loop's request count at stop are logged. */
  readonly logger: Logger;
}

/** The REST server of `--rest_workers` > 1. */
export interface RunningRestLoops extends RestServer, TransportLoopControl {}

/**
 * Serves the REST app on `loops` event loops: worker threads that each accept on host:port
 * (SO_REUSEPORT), parse HTTP (and TLS) and read bodies within the size limit and memory budget.
 * KServe infers and TF Serving predicts of an app made by createRestApp are decoded and encoded in
 * the loop, only their
 * model call (inputs and outputs transferred) running in this thread, where the models and
 * their leases, statistics and metrics live; every other request goes whole to `app`, its
 * response back chunk by chunk (server-sent events stream as they do in one thread). A client
 * that goes away aborts its request here.
 */
export async function startRestLoops(options: RestLoopsOptions): Promise<RunningRestLoops> {
  const { memoryBudget } = options;
  const side = loopInferSide(options.app);
  const loops = await startTransportLoops<RestLoopWorkerData, RestLoopMessage>({
    name: 'REST',
    worker: WORKER,
    loops: options.loops,
    port: options.port,
    dataFor: (loop, port) => ({
      loop,
      host: options.host,
      port,
      timeouts: options.timeouts,
      tls: options.tls,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_JSON_BYTES,
      budget: { buffer: memoryBudget.buffer, limitBytes: memoryBudget.limitBytes },
      inferInLoop: side?.access,
    }),
    connect: (worker) => connectLoop(worker, options.app, side),
    logger: options.logger,
  });
  return {
    port: loops.port,
    requests: () => loops.requests(),
    endLoop: (index) => loops.endLoop(index),
    close: (graceMs = 0) => {
      const stop: RestHostMessage = { kind: 'stop', graceMs };
      return loops.close(stop, graceMs);
    },
  };
}

function send(worker: Worker, message: RestHostMessage, transfer: ArrayBuffer[] = []): void {
  postToLoop(worker, message, transfer);
}

/**
 * This thread's side of a loop: the model calls of infers it decoded (run as the app runs them,
 * with `side`'s dependencies), and its other requests answered by `app`; aborted if it ends.
 */
function connectLoop(
  worker: Worker,
  app: RestApp,
  side: LoopInferSide | undefined,
): LoopPeer<RestLoopMessage> {
  const inFlight = new Map<number, AbortController>();
  let decoded = 0;
  return {
    ended() {
      for (const controller of inFlight.values()) controller.abort();
    },
    // How many of its requests the loop decoded itself (the rest were forwarded whole).
    counts: () => ({ decoded }),
    receive(message) {
      switch (message.kind) {
        case 'request': {
          const controller = new AbortController();
          inFlight.set(message.id, controller);
          // The app answers its own failures; what escapes it (a bug) cuts the connection.
          void answer(app, worker, message, controller.signal)
            .catch(() => send(worker, { kind: 'broken', id: message.id }))
            .finally(() => inFlight.delete(message.id));
          return true;
        }
        case 'infer': {
          decoded += 1;
          const controller = new AbortController();
          inFlight.set(message.id, controller);
          // Sent only by loops started with the side's access, so it is there.
          void runLoopInfer((side as LoopInferSide).deps, message, controller.signal)
            .then((answer) => send(worker, answer.message, answer.transfer))
            .finally(() => inFlight.delete(message.id));
          return true;
        }
        case 'specs':
          void loopSpecs((side as LoopInferSide).deps, message).then((answer) =>
            send(worker, answer),
          );
          return false;
        case 'abort':
          inFlight.get(message.id)?.abort();
          return false;
      }
    },
  };
}

/** A body whose reading fails as it did in the loop: the route that reads it answers that. */
function failingBody(refused: InputsError): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.error(new ServingError(refused.code, refused.detail));
    },
  });
}

/** Answers one forwarded request with `app`, sending its response to the loop as it comes. */
async function answer(
  app: RestApp,
  worker: Worker,
  request: Extract<RestLoopMessage, { kind: 'request' }>,
  signal: AbortSignal,
): Promise<void> {
  const { id } = request;
  const forwarded = new Headers();
  const url = new URL(request.url, 'http://localhost');
  for (let i = 0; i + 1 < request.headers.length; i += 2) {
    const name = (request.headers[i] as string).toLowerCase();
    const value = request.headers[i + 1] as string;
    // The URL's host setter ignores what is not a host, so a Host header cannot move the path.
    if (name === 'host') url.host = value;
    if (!NOT_FORWARDED.has(name)) forwarded.append(name, value);
  }
  const method = request.method;
  const withBody = !BODYLESS.has(method);
  const { refused } = request;
  if (withBody && refused === undefined) {
    forwarded.set('content-length', String(request.body.byteLength));
  }
  const response = await app.fetch(
    new Request(url, {
      method,
      headers: forwarded,
      signal,
      ...(withBody && { body: refused === undefined ? request.body : failingBody(refused) }),
      // A stream body (failingBody) must say so.
      duplex: 'half',
    }),
  );
  const { status } = response;
  const headers = [...response.headers];
  const body = response.body;
  if (body === null || !response.headers.get('content-type')?.startsWith(EVENT_STREAM)) {
    const whole = new Uint8Array(await response.arrayBuffer());
    send(worker, { kind: 'response', id, status, headers, body: whole }, [whole.buffer]);
    return;
  }
  send(worker, { kind: 'head', id, status, headers });
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const onAbort = (): void => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // A chunk may view a larger buffer (a pooled slab): only its own bytes cross.
      const data = ownBuffer(value);
      send(worker, { kind: 'chunk', id, data }, [data.buffer]);
    }
    send(worker, { kind: 'end', id });
  } catch {
    send(worker, { kind: 'broken', id });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
