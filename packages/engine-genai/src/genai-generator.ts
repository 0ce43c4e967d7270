import { ServingError, StatusCode } from '@ovms/core';
import type { GenerationEvent, GenerationRequest, TextGenerator, TokenLogprob } from '@ovms/core';
import { EventChannel } from './event-channel.js';
import { toWorkerRequest } from './worker-request.js';
import { startWorkerProcess } from './worker-process.js';
import type { WorkerProcess, WorkerProcessOptions } from './worker-process.js';

/** The scheduler's state now, for OVMS's gauges (docs/metrics.md). */
export interface GenerationStats {
  /** Requests in the scheduler (running and waiting). */
  readonly requests: number;
  /** Requests scheduled in the last step. */
  readonly scheduledRequests: number;
  /** KV cache in use, percent. */
  readonly cacheUsage: number;
  /** Requests the worker is generating for now (cancelled ones leave at once). */
  readonly activeRequests: number;
}

export type GenaiGeneratorOptions = Omit<WorkerProcessOptions, 'onMessage' | 'onExit'>;

/**
 * A request the worker holds a seat for: from `generate` until the worker says it ended,
 * failed or was cancelled (so the gauges count what the worker really generates for).
 */
interface InFlight {
  readonly channel: EventChannel<GenerationEvent>;
  readonly choices: number;
  ended: number;
  cancelSent: boolean;
}

/**
 * A text-generation model served by a supervised worker process (genai_worker.py): requests go
 * to the worker's continuous-batching loop and stream back. When the worker dies, the requests
 * it was serving fail with INTERNAL_INFERENCE_ERROR saying so and a new worker is started at
 * once; requests that arrive meanwhile wait for it.
 */
export class GenaiGenerator implements TextGenerator {
  readonly #options: GenaiGeneratorOptions;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #statsWaiters: ((stats: GenerationStats) => void)[] = [];
  #worker: WorkerProcess | undefined;
  #starting: Promise<WorkerProcess> | undefined;
  #nextId = 1;
  #closed = false;
  #restarts = 0;
  #cacheUsage = 0;

  constructor(options: GenaiGeneratorOptions) {
    this.#options = options;
  }

  /** Starts the first worker; rejects with MODEL_FILE_INVALID and the worker's words on failure. */
  async start(): Promise<void> {
    await this.#ensureWorker();
  }

  /** Worker restarts after a crash so far. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The process id of the worker serving now (tests kill it to prove supervision). */
  get workerPid(): number | undefined {
    return this.#worker?.pid;
  }

  get contextLength(): number | undefined {
    return this.#worker?.ready.contextLength;
  }

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const { signal } = request;
    signal?.throwIfAborted();
    const worker = await this.#ensureWorker();
    const id = this.#nextId++;
    const flight: InFlight = {
      channel: new EventChannel(),
      choices: request.params.n ?? 1,
      ended: 0,
      cancelSent: false,
    };
    this.#inFlight.set(id, flight);
    const onAbort = () => this.#cancel(id, worker);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker.send(toWorkerRequest(id, request));
      yield* flight.channel;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A reader that stops early (a client gone, an error on its side) frees the worker's seat.
      if (!flight.channel.ended) this.#cancel(id, worker);
    }
  }

  /** The scheduler's state, asked of the worker; undefined while no worker serves. */
  async stats(): Promise<GenerationStats | undefined> {
    const worker = this.#worker;
    if (worker === undefined) return undefined;
    const answer = new Promise<GenerationStats>((resolve) => this.#statsWaiters.push(resolve));
    worker.send({ op: 'metrics' });
    return answer;
  }

  /** Stops the worker; requests still running fail. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker ?? (await this.#starting?.catch(() => undefined));
    this.#worker = undefined;
    this.#failAll('the model is being unloaded');
    await worker?.stop();
  }

  /** Requests the worker generates for now, and the last KV cache usage it reported. */
  usage(): { readonly active: number; readonly cacheUsage: number } {
    return { active: this.#inFlight.size, cacheUsage: this.#cacheUsage };
  }

  #cancel(id: number, worker: WorkerProcess): void {
    const flight = this.#inFlight.get(id);
    if (flight === undefined || flight.cancelSent) return;
    flight.cancelSent = true;
    flight.channel.fail(new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, 'request cancelled'));
    // The entry stays until the worker confirms: it still holds the seat until then.
    if (this.#worker === worker) worker.send({ op: 'cancel', id });
    else this.#inFlight.delete(id);
  }

  #ensureWorker(): Promise<WorkerProcess> {
    if (this.#closed)
      return Promise.reject(
        new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE, 'the model is unloaded'),
      );
    if (this.#worker !== undefined) return Promise.resolve(this.#worker);
    this.#starting ??= startWorkerProcess({
      ...this.#options,
      onMessage: (message) => this.#onMessage(message),
      onExit: (reason) => this.#onExit(reason),
    })
      .then((worker) => {
        this.#worker = worker;
        this.#options.logger.info(
          { pid: worker.pid, path: this.#options.load.path, loadSeconds: worker.ready.loadSeconds },
          'Text generation worker ready',
        );
        return worker;
      })
      .catch((error: unknown) => {
        throw new ServingError(StatusCode.MODEL_FILE_INVALID, (error as Error).message, {
          cause: error,
        });
      })
      .finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  #onExit(reason: string): void {
    this.#worker = undefined;
    this.#options.logger.error(
      { path: this.#options.load.path, reason },
      'Text generation worker failed',
    );
    this.#failAll(reason);
    if (this.#closed) return;
    this.#restarts += 1;
    // Started now rather than by the next request, which then waits only for what is left.
    this.#ensureWorker().catch((error: unknown) =>
      this.#options.logger.error(
        { path: this.#options.load.path, error: (error as Error).message },
        'Restarting the text generation worker failed',
      ),
    );
  }

  #failAll(reason: string): void {
    for (const flight of this.#inFlight.values())
      flight.channel.fail(new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, reason));
    this.#inFlight.clear();
    for (const waiter of this.#statsWaiters.splice(0))
      waiter({ requests: 0, scheduledRequests: 0, cacheUsage: 0, activeRequests: 0 });
  }

  #onMessage(message: Record<string, unknown>): void {
    if (message.type === 'metrics') {
      this.#cacheUsage = Number(message.cache_usage);
      this.#statsWaiters.shift()?.({
        requests: Number(message.requests),
        scheduledRequests: Number(message.scheduled_requests),
        cacheUsage: Number(message.cache_usage),
        activeRequests: Number(message.active_jobs),
      });
      return;
    }
    if (message.type === 'fatal') {
      // The worker refused something the bridge sent: it is about to exit, reported there.
      this.#options.logger.error(
        { message: message.message },
        'Text generation worker refused a message',
      );
      return;
    }
    const id = Number(message.id);
    const flight = this.#inFlight.get(id);
    if (flight === undefined) return;
    const { channel } = flight;
    switch (message.type) {
      case 'cancelled':
        this.#inFlight.delete(id);
        return;
      case 'start':
        channel.push({ type: 'start', promptTokens: Number(message.prompt_tokens) });
        return;
      case 'delta':
        channel.push({
          type: 'delta',
          index: Number(message.index),
          text: String(message.text),
          ...(Array.isArray(message.logprobs) && {
            logprobs: message.logprobs as TokenLogprob[],
          }),
        });
        return;
      case 'end':
        channel.push({
          type: 'end',
          index: Number(message.index),
          finishReason: message.finish_reason === 'length' ? 'length' : 'stop',
          completionTokens: Number(message.completion_tokens),
        });
        flight.ended += 1;
        if (flight.ended >= flight.choices) {
          channel.close();
          if (!flight.cancelSent) this.#inFlight.delete(id);
        }
        return;
      case 'error':
        if (!flight.cancelSent) this.#inFlight.delete(id);
        channel.fail(
          new ServingError(
            message.code === 'context' || message.code === 'invalid'
              ? StatusCode.INVALID_ARGUMENT
              : StatusCode.INTERNAL_INFERENCE_ERROR,
            String(message.message),
          ),
        );
        return;
      default:
        return;
    }
  }
}
