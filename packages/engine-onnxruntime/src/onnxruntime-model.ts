import {
  ServingError,
  StatusCode,
  validateInputs,
  type LoadedModel,
  type RequestQueue,
  type TensorMap,
  type TensorSpec,
} from '@ovms/core';
import type { OrtWorkerPool } from './ort-worker-pool.js';
import { fromWire, toWire } from './ort-tensors.js';

export interface OnnxRuntimeModelParts {
  readonly pool: OrtWorkerPool;
  readonly file: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly batchSized: boolean;
  /** Runs at most as many jobs at once as the pool has worker threads. */
  readonly queue: RequestQueue;
}

/**
 * One loaded `.onnx` version: validates each request on the main thread, then runs it on one
 * of its `nireq` worker threads through the bounded request queue.
 */
export class OnnxRuntimeModel implements LoadedModel {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** The model file, for logs and errors. */
  readonly file: string;
  readonly #pool: OrtWorkerPool;
  readonly #validation: { readonly batchSized: boolean };
  readonly #queue: RequestQueue;
  #closing: Promise<void> | undefined;

  constructor(parts: OnnxRuntimeModelParts) {
    this.inputs = parts.inputs;
    this.outputs = parts.outputs;
    this.file = parts.file;
    this.#pool = parts.pool;
    this.#validation = { batchSized: parts.batchSized };
    this.#queue = parts.queue;
  }

  /** Requests running now (`ovms_infer_req_active`). */
  get activeRequests(): number {
    return this.#queue.active;
  }

  /** Requests waiting for an infer request (`ovms_infer_req_queue_size`). */
  get queuedRequests(): number {
    return this.#queue.queued;
  }

  async infer(inputs: TensorMap, signal?: AbortSignal): Promise<TensorMap> {
    if (this.#closing !== undefined) {
      throw new ServingError(
        StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE,
        `onnxruntime session of ${this.file} is closed`,
      );
    }
    validateInputs(this.inputs, inputs, this.#validation);
    return this.#queue.run(() => this.#run(inputs), signal);
  }

  /** Copies the inputs only once a worker is free, so waiting requests hold no extra memory. */
  async #run(inputs: TensorMap): Promise<TensorMap> {
    const { tensors, transfer } = toWire(inputs);
    const { outputs } = await this.#pool.run(tensors, transfer);
    return fromWire(outputs, this.outputs);
  }

  /**
   * Refuses new requests, lets accepted ones (running and queued) finish, then releases each
   * worker's session and ends the threads.
   */
  close(): Promise<void> {
    this.#closing ??= this.#queue.idle().then(() => this.#pool.close());
    return this.#closing;
  }
}
