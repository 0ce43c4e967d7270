import { LeaseCounter, ServingError, StatusCode } from '@ovms/core';
import type {
  InferRequest,
  LoadedModel,
  Servable,
  ServableLease,
  TensorMap,
  TensorSpec,
} from '@ovms/core';
import type { LoadAttempt } from './version-state.js';

/** What the manager knows about one loaded copy of a version. */
export interface ModelInstanceOptions {
  readonly model: string;
  readonly version: number;
  readonly loaded: LoadedModel;
  readonly attempt: LoadAttempt;
  readonly localDir: string;
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
    this.servable = new ModelServable(options.model, options.version, options.loaded);
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

class InstanceLease implements ServableLease {
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

class ModelServable implements Servable {
  readonly name: string;
  readonly version: number;
  readonly kind = 'model' as const;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly #loaded: LoadedModel;

  constructor(name: string, version: number, loaded: LoadedModel) {
    this.name = name;
    this.version = version;
    this.#loaded = loaded;
    this.inputs = loaded.inputs;
    this.outputs = loaded.outputs;
  }

  async infer(request: InferRequest): Promise<TensorMap> {
    const outputs = await this.#loaded.infer(request.inputs, request.signal);
    const wanted = request.outputs;
    if (wanted === undefined || wanted.length === 0) return outputs;
    const selected: TensorMap = new Map();
    for (const name of wanted) {
      const tensor = outputs.get(name);
      if (tensor === undefined) {
        throw new ServingError(StatusCode.INVALID_MISSING_OUTPUT, `output name: ${name}`);
      }
      selected.set(name, tensor);
    }
    return selected;
  }
}
