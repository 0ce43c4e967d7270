import { LeaseCounter, createModelServable } from '@ovms/core';
import type {
  BinaryInputDecoder,
  DynamicBatchingSettings,
  LoadedModel,
  MetricsRecorder,
  Servable,
  ServableLease,
} from '@ovms/core';
import type { LoadAttempt } from './version-state.js';

/** What the manager knows about one loaded copy of a version. */
export interface ModelInstanceOptions {
  readonly model: string;
  readonly version: number;
  readonly loaded: LoadedModel;
  readonly attempt: LoadAttempt;
  readonly localDir: string;
  /** Receives each successful inference's timing; absent: nothing is timed. */
  readonly metrics?: MetricsRecorder;
  /** Decodes binary inputs (images) sent to numeric inputs; absent: they are refused. */
  readonly decodeBinaryInputs?: BinaryInputDecoder;
  /** The model's `dynamic_batching`; a model that cannot batch makes the constructor throw. */
  readonly dynamicBatching?: DynamicBatchingSettings;
}

/** One loaded version's infer-request pool now, for the OVMS gauges. */
export interface ModelVersionUsage {
  readonly name: string;
  readonly version: number;
  /** Infer requests running (`ovms_infer_req_active`). */
  readonly active: number;
  /** Requests waiting for a free infer request (with `active`: `ovms_current_requests`). */
  readonly queued: number;
  /** The pool size (`ovms_infer_req_queue_size`, which OVMS sets to nireq). */
  readonly nireq: number;
  /** OpenVINO's NUM_STREAMS (`ovms_streams`), where the engine has streams. */
  readonly streams?: number;
  /** KV cache in use, percent, of a text-generation model. */
  readonly kvCacheUsage?: number;
}

/**
 * One loaded copy of a model version. A version reload builds a new instance beside the old
 * one, so each instance counts its own leases and closes only after the last one is released.
 */
export class ModelInstance {
  readonly attempt: LoadAttempt;
  readonly localDir: string;
  readonly servable: Servable;
  readonly #loaded: LoadedModel;
  readonly #leases = new LeaseCounter();
  #retirement: Promise<void> | undefined;

  constructor(options: ModelInstanceOptions) {
    this.attempt = options.attempt;
    this.localDir = options.localDir;
    this.#loaded = options.loaded;
    this.servable = createModelServable({
      name: options.model,
      version: options.version,
      loaded: options.loaded,
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
      ...(options.decodeBinaryInputs !== undefined && {
        decodeBinaryInputs: options.decodeBinaryInputs,
      }),
      ...(options.dynamicBatching !== undefined && { dynamicBatching: options.dynamicBatching }),
    });
  }

  /** The engine's pool usage labelled with this version; undefined when the engine cannot tell. */
  usage(): ModelVersionUsage | undefined {
    const usage = this.#loaded.usage?.();
    if (usage === undefined) return undefined;
    return { name: this.servable.name, version: this.servable.version, ...usage };
  }

  get leasesHeld(): number {
    return this.#leases.held;
  }

  /** A lease, or undefined when this instance is being retired (the caller resolves again). */
  tryLease(): ServableLease | undefined {
    return this.#leases.tryAcquire() ? new InstanceLease(this.servable, this.#leases) : undefined;
  }

  /** Refuses new leases, waits for the held ones, then closes the model. Idempotent. */
  retire(): Promise<void> {
    this.#retirement ??= this.#leases.retire().then(() => this.#loaded.close());
    return this.#retirement;
  }
}

/** A hold on one instance's lease counter; disposing releases it once. */
export class InstanceLease implements ServableLease {
  readonly servable: Servable;
  readonly #leases: LeaseCounter;
  #released = false;

  constructor(servable: Servable, leases: LeaseCounter) {
    this.servable = servable;
    this.#leases = leases;
  }

  [Symbol.asyncDispose](): Promise<void> {
    // Disposing twice must not release someone else's hold.
    if (!this.#released) {
      this.#released = true;
      this.#leases.release();
    }
    return Promise.resolve();
  }
}
