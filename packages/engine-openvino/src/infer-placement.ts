import { InlineSwitch } from '@ovms/core';
import type { InlineSwitchLimits } from '@ovms/core';

/**
 * Where an infer runs: off the event loop (a koffi call on a libuv worker, the default) or
 * inline on the calling thread. The hop off the loop and back costs ~25 µs of latency and ~45
 * µs of CPU per infer here (bench/server), more than a tiny model's whole infer (an add of
 * two 1×4 tensors takes ~18 µs inline), so for such models inline is both faster and cheaper
 * while blocking the loop no longer than the hop itself would have cost. Only small requests
 * qualify (inputs up to `maxInputBytes`: a dynamic-shape model's time grows with its input),
 * and the measurements decide: inline once the offloaded round trips are short; it stays
 * inline while inline infers stay well under the round trips they replace (an OpenVINO worker
 * woken from idle slows both: ~85 µs inline against ~175 µs offloaded here), and goes back off
 * the loop after a few slow inline infers in a row or a slow median (then not again for a long
 * while). The switch itself is core's InlineSwitch, which ONNX Runtime's placement shares.
 */
export interface PlacementLimits extends InlineSwitchLimits {
  /** Requests with more input bytes than this always run off the loop and are not measured. */
  readonly maxInputBytes: number;
  /** A median offloaded round trip at or under this moves infers inline. */
  readonly enterUs: number;
  /**
   * A median inline infer over this, and over twice the offloaded round trips measured before
   * going inline, goes back off the loop.
   */
  readonly stayUs: number;
  /**
   * Offloaded round trips (mean) at or under this run on the pool thread itself; longer ones
   * are started on the engine's stream threads and waited for (offloadToEngine).
   */
  readonly poolUs: number;
}

export const DEFAULT_PLACEMENT_LIMITS: PlacementLimits = {
  maxInputBytes: 64 * 1024,
  enterUs: 1_000,
  stayUs: 100,
  abortUs: 1_000,
  abortRuns: 3,
  samples: 32,
  cooldown: 4_096,
  poolUs: 300,
};

/** Weight of the newest round trip in their running mean (which picks pool or engine). */
const WEIGHT = 1 / 8;

export class InferPlacement {
  readonly #switch: InlineSwitch;
  /** The offloaded round trips' median when infers went inline: what inline must not exceed. */
  #offloadedUs = 0;
  /** Mean of every offloaded round trip, whatever its size; 0 before the first. */
  #roundTripUs = 0;

  /** `eligible`: the binding can infer on the calling thread. */
  constructor(
    private readonly eligible: boolean,
    private readonly limits: PlacementLimits = DEFAULT_PLACEMENT_LIMITS,
  ) {
    this.#switch = new InlineSwitch(limits);
  }

  /** Whether an infer with `inputBytes` of inputs runs on the calling thread. */
  inline(inputBytes: number): boolean {
    return this.#switch.inline && inputBytes <= this.limits.maxInputBytes;
  }

  /**
   * Whether an offloaded infer is started on the engine's stream threads (and waited for on
   * a pool thread) rather than run on the pool thread: yes for the first ones and for long
   * ones, where several pool threads inferring at once competed with the engine's own threads
   * (heavy MLP, 4 in flight: −130 µs of engine CPU per request); no for short ones, where
   * waking a stream thread costs more (~25 µs of CPU per tiny infer).
   */
  offloadToEngine(): boolean {
    return this.#roundTripUs === 0 || this.#roundTripUs > this.limits.poolUs;
  }

  /** An offloaded infer took `roundTripUs` from the call to its answer on the event loop. */
  recordOffloaded(roundTripUs: number, inputBytes: number): void {
    this.#roundTripUs =
      this.#roundTripUs === 0
        ? roundTripUs
        : this.#roundTripUs + WEIGHT * (roundTripUs - this.#roundTripUs);
    if (!this.eligible || inputBytes > this.limits.maxInputBytes) return;
    const medianUs = this.#switch.offloaded(roundTripUs);
    if (medianUs !== undefined && medianUs <= this.limits.enterUs) {
      this.#offloadedUs = medianUs;
      this.#switch.enter();
    }
  }

  /** An inline infer blocked the calling thread for `durationUs` (the first, cold, does not count). */
  recordInline(durationUs: number): void {
    // Twice the offloaded median: inline does the same work minus the hop, so only noise (a
    // preempted thread, a cold cache) makes it look slower, and noise must not send it back.
    this.#switch.recordInline(durationUs, Math.max(this.limits.stayUs, 2 * this.#offloadedUs));
  }
}
