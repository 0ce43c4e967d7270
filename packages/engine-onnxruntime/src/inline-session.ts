import { createRequire } from 'node:module';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ServingError, StatusCode } from '@ovms/core';
import type { ModelSource, RunResult, WireTensor } from './worker-protocol.js';

/** An output as either session kind returns it. */
interface RunOutput {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The calls InlineSession makes of a session, whichever kind. */
interface SessionRunner {
  readonly outputNames: readonly string[];
  /** Runs and brackets the native run with wall-clock times (ms since the epoch). */
  run(feeds: Record<string, Tensor>): Promise<{
    readonly results: Readonly<Record<string, RunOutput>>;
    readonly startedAt: number;
    readonly finishedAt: number;
  }>;
  release(): Promise<void>;
}

/**
 * onnxruntime-node's native session class (its `dist/binding`), the object its JavaScript
 * session handler wraps. Only the calls that handler makes of it are used.
 */
interface NativeSession {
  loadModel(path: string, options: object): void;
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  readonly outputMetadata: readonly { readonly name: string }[];
  run(
    feeds: Record<string, Tensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, RunOutput>;
  dispose(): void;
}

interface NativeBinding {
  readonly binding: { readonly InferenceSession: new () => NativeSession };
  readonly initOrt: () => void;
}

/**
 * onnxruntime-node's native binding, when this version has it where 1.30 does; undefined
 * otherwise (then the public API serves, one event-loop turn slower per run).
 */
function nativeBinding(): NativeBinding | undefined {
  try {
    const loaded = createRequire(import.meta.url)('onnxruntime-node/dist/binding') as Partial<
      Record<keyof NativeBinding, unknown>
    > & { binding?: { InferenceSession?: unknown } };
    if (
      typeof loaded.initOrt !== 'function' ||
      typeof loaded.binding?.InferenceSession !== 'function'
    ) {
      return undefined;
    }
    return loaded as NativeBinding;
  } catch {
    return undefined;
  }
}

/**
 * Runs on onnxruntime-node's native session directly. Its public `session.run` calls the same
 * native `run` from a setImmediate, behind a promise and argument checks: for a tiny model
 * that turn of the event loop was ~3–8 µs of a ~150 µs request (bench/server/hot-path.ts). The
 * run blocks the thread either way; here it does so at once, inside the request's own turn.
 */
function nativeRunner(
  binding: NativeBinding,
  model: ModelSource,
  options: InferenceSession.SessionOptions,
): SessionRunner {
  binding.initOrt();
  const session = new binding.binding.InferenceSession();
  if (typeof model === 'string') session.loadModel(model, options);
  else session.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
  const outputNames = session.outputMetadata.map((output) => output.name);
  const fetches = Object.fromEntries(outputNames.map((name) => [name, null]));
  return {
    outputNames,
    run: (feeds) => {
      const startedAt = performance.timeOrigin + performance.now();
      const results = session.run(feeds, fetches, {});
      const finishedAt = performance.timeOrigin + performance.now();
      return Promise.resolve({ results, startedAt, finishedAt });
    },
    release: () => {
      session.dispose();
      return Promise.resolve();
    },
  };
}

/** Runs through onnxruntime-node's public API. */
function publicRunner(session: InferenceSession): SessionRunner {
  return {
    outputNames: session.outputNames,
    run: async (feeds) => {
      // This setImmediate is queued just before the one onnxruntime-node queues for the run
      // (InferenceSession.run reaches its handler without awaiting), so nothing runs between.
      let startedAt = 0;
      setImmediate(() => (startedAt = performance.timeOrigin + performance.now()));
      const results = await session.run(feeds);
      return { results, startedAt, finishedAt: performance.timeOrigin + performance.now() };
    },
    release: () => session.release(),
  };
}

/**
 * A model's session on the event loop's own thread, for requests whose run is shorter than a
 * worker's round trip (see InlinePlacement). A run is synchronous native work that blocks the
 * loop for its whole time: the placement keeps only tiny runs here. The session runs on the
 * calling thread alone (one intra-op thread, sequential): a tiny graph gains nothing from a
 * thread pool, and ORT's pools spin between runs, taking CPU from the transports on the same
 * cores.
 */
export class InlineSession {
  readonly #runner: SessionRunner;
  readonly #Tensor: typeof Tensor;
  /** Which API runs it: `native` unless this onnxruntime-node lacks the binding 1.30 has. */
  readonly api: 'native' | 'public';

  private constructor(runner: SessionRunner, tensor: typeof Tensor, api: 'native' | 'public') {
    this.#runner = runner;
    this.#Tensor = tensor;
    this.api = api;
  }

  /**
   * Loads `model` (a path or ModelProto bytes) with `sessionOptions` on this thread, on the
   * native session where there is one (`api` 'public' forces the public API, for tests).
   */
  static async open(
    model: ModelSource,
    sessionOptions: InferenceSession.SessionOptions,
    api: 'native' | 'public' = 'native',
  ): Promise<InlineSession> {
    const options: InferenceSession.SessionOptions = {
      ...sessionOptions,
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    };
    // Loaded here, not at the top: the event loop's thread then loads ORT's native library
    // only for a model that gets an inline session. The heavy MLP (never inline) measured
    // 0.69x main's throughput with the import at the top, 0.89x with it here, against 0.89x
    // for a build run against itself (the bench's order bias).
    const ort = await import('onnxruntime-node');
    const binding = api === 'native' ? nativeBinding() : undefined;
    if (binding !== undefined) {
      return new InlineSession(nativeRunner(binding, model, options), ort.Tensor, 'native');
    }
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model, options);
    return new InlineSession(publicRunner(session), ort.Tensor, 'public');
  }

  /** Runs one request; `startedAt`/`finishedAt` bracket the native run. */
  async run(inputs: readonly WireTensor[]): Promise<RunResult> {
    const feeds: Record<string, Tensor> = {};
    for (const input of inputs) {
      const data = input.data as Float32Array;
      feeds[input.name] = new this.#Tensor(input.type as 'float32', data, input.dims);
    }
    let ran: Awaited<ReturnType<SessionRunner['run']>>;
    try {
      ran = await this.#runner.run(feeds);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, message, { cause: error });
    }
    const outputs: WireTensor[] = [];
    for (const name of this.#runner.outputNames) {
      const tensor = ran.results[name];
      if (tensor !== undefined) {
        outputs.push({
          name,
          type: tensor.type,
          dims: tensor.dims,
          data: tensor.data as WireTensor['data'],
        });
      }
    }
    return { outputs, startedAt: ran.startedAt, finishedAt: ran.finishedAt };
  }

  close(): Promise<void> {
    return this.#runner.release();
  }
}
