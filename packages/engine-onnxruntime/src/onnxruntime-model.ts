import {
  ServingError,
  StatusCode,
  type InferTiming,
  type InputSpec,
  type LoadedModel,
  type RequestQueue,
  type TensorMap,
  type TensorSpec,
} from '@ovms/core';
import { InlinePlacement } from './inline-placement.js';
import type { InlineSession } from './inline-session.js';
import type { OrtWorkerPool } from './ort-worker-pool.js';
import { fromWire, toWire } from './ort-tensors.js';
import type { ServedShapes } from './served-shapes.js';
import type { RunResult } from './worker-protocol.js';

export interface OnnxRuntimeModelParts {
  readonly pool: OrtWorkerPool;
  readonly file: string;
  /** What the model reports and checks requests against; follows `auto` requests. */
  readonly shapes: ServedShapes;
  /** Runs at most as many jobs at once as the pool has worker threads. */
  readonly queue: RequestQueue;
  /** Worker threads (infer requests); the queue's concurrency. */
  readonly nireq: number;
  /** A session on the event loop for tiny runs (small models only); see InlinePlacement. */
  readonly inline?: InlineSession | undefined;
  readonly placement?: InlinePlacement;
}

/** What `usage()` reports; ORT has no OpenVINO-style streams, so `streams` is left out. */
export interface OnnxRuntimeUsage {
  readonly active: number;
  readonly queued: number;
  readonly nireq: number;
}

/**
 * One loaded `.onnx` version: runs each request (checked by the servable against `inputs`) on
 * one of its `nireq` worker threads through the bounded request queue, or, for a small model
 * whose runs are measured to be tiny, on its inline session (still one of the `nireq` slots).
 */
export class OnnxRuntimeModel implements LoadedModel {
  /** The model file, for logs and errors. */
  readonly file: string;
  readonly #pool: OrtWorkerPool;
  readonly #shapes: ServedShapes;
  readonly #queue: RequestQueue;
  readonly #nireq: number;
  readonly #inline: InlineSession | undefined;
  readonly #placement: InlinePlacement;
  #closing: Promise<void> | undefined;

  constructor(parts: OnnxRuntimeModelParts) {
    this.file = parts.file;
    this.#pool = parts.pool;
    this.#shapes = parts.shapes;
    this.#queue = parts.queue;
    this.#nireq = parts.nireq;
    this.#inline = parts.inline;
    this.#placement = parts.placement ?? new InlinePlacement();
  }

  /** Whether the next request of `inputBytes` would run on the event loop; for tests. */
  runsInline(inputBytes: number): boolean {
    return this.#inline !== undefined && this.#placement.inline(inputBytes);
  }

  /** The inputs now: after a request of another size on an `auto` dim, that request's shape. */
  get inputs(): readonly InputSpec[] {
    return this.#shapes.inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.#shapes.outputs;
  }

  /** Requests running now (`ovms_infer_req_active`). */
  get activeRequests(): number {
    return this.#queue.active;
  }

  /** Requests waiting for a free infer request (part of `ovms_current_requests`). */
  get queuedRequests(): number {
    return this.#queue.queued;
  }

  /**
   * For the OVMS gauges. `streams` is absent: OVMS's `ovms_streams` is OpenVINO's NUM_STREAMS,
   * and the nearest ORT notion (the worker count) is already `nireq`.
   */
  usage(): OnnxRuntimeUsage {
    return { active: this.#queue.active, queued: this.#queue.queued, nireq: this.#nireq };
  }

  async infer(inputs: TensorMap, signal?: AbortSignal, timing?: InferTiming): Promise<TensorMap> {
    if (this.#closing !== undefined) {
      throw new ServingError(
        StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE,
        `onnxruntime session of ${this.file} is closed`,
      );
    }
    const calledAt = timing === undefined ? 0 : performance.now();
    const outputs = await this.#queue.run(() => this.#run(inputs, calledAt, timing), signal);
    this.#shapes.follow(inputs);
    return outputs;
  }

  /**
   * Copies the inputs only once a worker is free, so waiting requests hold no extra memory.
   * `inferenceUs` is the worker's `session.run` alone (no copies, no thread hops), as OVMS
   * times only the infer request itself.
   */
  async #run(inputs: TensorMap, calledAt: number, timing?: InferTiming): Promise<TensorMap> {
    if (timing !== undefined) timing.waitUs = (performance.now() - calledAt) * 1000;
    const bytes = inputBytes(inputs);
    const inline = this.#inline !== undefined && this.#placement.inline(bytes);
    const { tensors, transfer } = toWire(inputs, this.#shapes.feedNames, !inline);
    let result: RunResult;
    if (inline && this.#inline !== undefined) {
      result = await this.#inline.run(tensors);
      this.#placement.recordInline((result.finishedAt - result.startedAt) * 1000);
    } else {
      result = await this.#pool.run(tensors, transfer);
      this.#placement.recordWorker((result.finishedAt - result.startedAt) * 1000, bytes);
    }
    if (timing !== undefined) timing.inferenceUs = (result.finishedAt - result.startedAt) * 1000;
    return fromWire(result.outputs, this.outputs);
  }

  /**
   * Refuses new requests, lets accepted ones (running and queued) finish, then releases each
   * worker's session and ends the threads.
   */
  close(): Promise<void> {
    this.#closing ??= this.#queue
      .idle()
      .then(() => Promise.all([this.#pool.close(), this.#inline?.close()]))
      .then(() => undefined);
    return this.#closing;
  }
}

/** What a request hands the model: numeric bytes, or the strings' bytes of a BYTES input. */
function inputBytes(inputs: TensorMap): number {
  let total = 0;
  for (const tensor of inputs.values()) {
    if (tensor.dtype === 'BYTES') {
      for (const item of tensor.data) total += item.byteLength;
    } else {
      total += tensor.data.byteLength;
    }
  }
  return total;
}
