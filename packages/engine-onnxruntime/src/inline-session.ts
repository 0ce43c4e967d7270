import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ServingError, StatusCode } from '@ovms/core';
import type { ModelSource, RunResult, WireTensor } from './worker-protocol.js';

/**
 * A model's session on the event loop's own thread, for requests whose run is shorter than a
 * worker's round trip (see InlinePlacement). onnxruntime-node's `session.run` is synchronous
 * native work started from a setImmediate, so an inline run blocks the loop for the run's
 * whole time: the placement keeps only tiny runs here. The session runs on the calling thread
 * alone (one intra-op thread, sequential): a tiny graph gains nothing from a thread pool, and
 * ORT's pools spin between runs, taking CPU from the transports on the same cores.
 */
export class InlineSession {
  readonly #session: InferenceSession;
  readonly #Tensor: typeof Tensor;

  private constructor(session: InferenceSession, tensor: typeof Tensor) {
    this.#session = session;
    this.#Tensor = tensor;
  }

  /** Loads `model` (a path or ModelProto bytes) with `sessionOptions` on this thread. */
  static async open(
    model: ModelSource,
    sessionOptions: InferenceSession.SessionOptions,
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
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model, options);
    return new InlineSession(session, ort.Tensor);
  }

  /**
   * Runs one request. `startedAt`/`finishedAt` bracket the native run: the setImmediate that
   * records the start is queued just before the one onnxruntime-node queues for the run
   * (InferenceSession.run reaches its handler without awaiting), so nothing runs between them.
   */
  async run(inputs: readonly WireTensor[]): Promise<RunResult> {
    const feeds: Record<string, Tensor> = {};
    for (const input of inputs) {
      const data = input.data as Float32Array;
      feeds[input.name] = new this.#Tensor(input.type as 'float32', data, input.dims);
    }
    let startedAt = 0;
    setImmediate(() => (startedAt = performance.timeOrigin + performance.now()));
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await this.#session.run(feeds);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ServingError(StatusCode.INTERNAL_INFERENCE_ERROR, message, { cause: error });
    }
    const finishedAt = performance.timeOrigin + performance.now();
    const outputs: WireTensor[] = [];
    for (const name of this.#session.outputNames) {
      const tensor = results[name];
      if (tensor !== undefined) {
        outputs.push({ name, type: tensor.type, dims: tensor.dims, data: tensor.data });
      }
    }
    return { outputs, startedAt, finishedAt };
  }

  close(): Promise<void> {
    return this.#session.release();
  }
}
