import { LeaseCounter } from '@ovms/core';
import type { Servable, ServableLease } from '@ovms/core';
import { InstanceLease } from './model-instance.js';
import type { PipelineModelUse } from './types.js';

/**
 * One built copy of a pipeline. A rebuild makes a new instance beside this one, so each counts
 * its own leases and releases its build (custom nodes) only after its last request.
 */
export class PipelineInstance {
  readonly servable: Servable;
  readonly uses: readonly PipelineModelUse[];
  readonly #dispose: () => Promise<void>;
  readonly #leases = new LeaseCounter();
  #retirement: Promise<void> | undefined;

  constructor(build: {
    readonly servable: Servable;
    readonly uses: readonly PipelineModelUse[];
    dispose(): Promise<void>;
  }) {
    this.servable = build.servable;
    this.uses = build.uses;
    this.#dispose = () => build.dispose();
  }

  /** A lease, or undefined when this instance is being retired. */
  tryLease(): ServableLease | undefined {
    return this.#leases.tryAcquire() ? new InstanceLease(this.servable, this.#leases) : undefined;
  }

  /** Refuses new leases, waits for the held ones, then disposes the build. Idempotent. */
  retire(): Promise<void> {
    this.#retirement ??= this.#leases.retire().then(() => this.#dispose());
    return this.#retirement;
  }
}
