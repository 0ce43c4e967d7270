import { InlineSwitch } from '@ovms/core';
import type { InlineSwitchLimits } from '@ovms/core';

/**
 * Whether a model's next request runs on the event loop's own session or on a worker thread.
 * A worker infer costs two thread wake-ups and a structured clone each way (~70 µs of
 * latency for a 1×4 add whose `session.run` takes ~10 µs here), so a request whose run is
 * that short is cheaper inline, and blocks the loop no longer than the hop would have cost.
 * The measurements decide, never the model's name or shape: the workers report each run's
 * time, and once their recent runs are short, requests move inline; `abortRuns` long inline
 * runs in a row, or a median that drifts up (a dynamic-shape model fed bigger inputs), sends
 * them back to the workers, and they stay there for `cooldown` requests (InlineSwitch). Medians,
 * not means: with a running mean, a tiny model measured here went back to the workers every
 * few thousand requests for nothing, after one preempted run or a scavenge inside one.
 */
export interface InlineLimits extends InlineSwitchLimits {
  /** Requests with more input bytes than this always go to a worker and are not measured. */
  readonly maxInputBytes: number;
  /** A median worker `session.run` time at or under this moves requests inline. */
  readonly enterUs: number;
  /** A median inline run over this goes back to the workers. */
  readonly stayUs: number;
}

export const DEFAULT_INLINE_LIMITS: InlineLimits = {
  maxInputBytes: 16 * 1024,
  enterUs: 100,
  stayUs: 200,
  abortUs: 1_000,
  abortRuns: 3,
  samples: 16,
  cooldown: 4_096,
};

export class InlinePlacement {
  readonly #switch: InlineSwitch;

  constructor(private readonly limits: InlineLimits = DEFAULT_INLINE_LIMITS) {
    this.#switch = new InlineSwitch(limits);
  }

  /** Whether a request with `inputBytes` of inputs runs on the calling thread. */
  inline(inputBytes: number): boolean {
    return this.#switch.inline && inputBytes <= this.limits.maxInputBytes;
  }

  /** A worker's `session.run` took `runUs` for a request of `inputBytes`. */
  recordWorker(runUs: number, inputBytes: number): void {
    if (inputBytes > this.limits.maxInputBytes) return;
    const medianUs = this.#switch.offloaded(runUs);
    if (medianUs !== undefined && medianUs <= this.limits.enterUs) this.#switch.enter();
  }

  /** An inline run blocked the calling thread for `runUs` (the first, cold, does not count). */
  recordInline(runUs: number): void {
    this.#switch.recordInline(runUs, this.limits.stayUs);
  }
}
