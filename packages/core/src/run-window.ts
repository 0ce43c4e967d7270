/**
 * The last `size` durations of something measured by wall clock (an engine's runs, round
 * trips), decided on by their median once per full window. Engines use it to place infers by
 * measurement: on a busy machine a preempted run or a garbage collection inside one is an
 * outlier of milliseconds, which a running mean carries for dozens of runs and a median of 16
 * ignores unless half the window is slow.
 */
export class RunWindow {
  readonly #times: Float64Array;
  #count = 0;

  constructor(size: number) {
    this.#times = new Float64Array(Math.max(1, Math.floor(size)));
  }

  /** Adds a duration; true each time the window has filled again (every `size` adds). */
  add(us: number): boolean {
    this.#times[this.#count % this.#times.length] = us;
    this.#count += 1;
    return this.#count % this.#times.length === 0;
  }

  /** The median of the window (zeros stand for durations not added yet). */
  median(): number {
    const sorted = this.#times.slice().sort();
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  }
}
