import { RunWindow } from './run-window.js';

/** What an InlineSwitch needs of an engine's placement limits; engines' limits extend it. */
export interface InlineSwitchLimits {
  /**
   * `abortRuns` inline runs in a row over this leave at once. Not one: on a busy machine a
   * preempted run or a scavenge inside one takes milliseconds of wall clock whatever the model
   * costs (4.4 ms once for a 40 µs MLP on ONNX Runtime, load average 10). (Thread CPU time
   * would tell them apart, but Node's `threadCpuUsage` moves in steps of ~1 ms here.)
   */
  readonly abortUs: number;
  readonly abortRuns: number;
  /** Runs in the window whose median decides (RunWindow). */
  readonly samples: number;
  /** Offloaded runs after leaving inline that pass unmeasured before inline is tried again. */
  readonly cooldown: number;
}

/**
 * The measured switch both engines place infers with, between off the event loop and on it.
 * Offloaded runs fill a window whose median the engine judges (`offloaded`); once it calls
 * `enter`, the first inline run is cold and not counted, and `abortRuns` inline runs in a row
 * over `abortUs`, or a window median over the engine's bound, leave; `cooldown` offloaded runs
 * then pass unmeasured. Medians, not means: on a busy machine a preempted run or a scavenge
 * inside one is an outlier of milliseconds, which a running mean carried for dozens of runs.
 */
export class InlineSwitch {
  #inline = false;
  #coldRun = false;
  #longRuns = 0;
  #runs: RunWindow;
  #cooldown = 0;

  constructor(private readonly limits: InlineSwitchLimits) {
    this.#runs = new RunWindow(limits.samples);
  }

  get inline(): boolean {
    return this.#inline;
  }

  /**
   * An offloaded run took `us`: the median of the window each time it fills, for the engine to
   * decide on; undefined while inline, cooling down or filling.
   */
  offloaded(us: number): number | undefined {
    if (this.#inline) return undefined;
    if (this.#cooldown > 0) {
      this.#cooldown -= 1;
      return undefined;
    }
    return this.#runs.add(us) ? this.#runs.median() : undefined;
  }

  /** Moves infers inline. */
  enter(): void {
    this.#switch(true);
  }

  /** An inline run blocked the calling thread for `us`; a window median over `stayUs` leaves. */
  recordInline(us: number, stayUs: number): void {
    // The first inline run is cold (allocations; 183 µs against 40 after for a 256-wide MLP on
    // ONNX Runtime, ~0.9 ms against ~0.1 on OpenVINO), whatever later ones cost.
    if (this.#coldRun) {
      this.#coldRun = false;
      return;
    }
    this.#longRuns = us > this.limits.abortUs ? this.#longRuns + 1 : 0;
    const drifted = this.#runs.add(us) && this.#runs.median() > stayUs;
    if (drifted || this.#longRuns >= this.limits.abortRuns) {
      this.#switch(false);
      this.#cooldown = this.limits.cooldown;
    }
  }

  #switch(inline: boolean): void {
    this.#inline = inline;
    this.#coldRun = inline;
    this.#longRuns = 0;
    this.#runs = new RunWindow(this.limits.samples);
  }
}
