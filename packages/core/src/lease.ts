/**
 * Counts holders of a resource so that retiring it waits until the last holder is done
 * (OVMS's ModelInstanceUnloadGuard). `acquire` fails once retirement has begun.
 */
export class LeaseCounter {
  #held = 0;
  #retiring = false;
  #drained: (() => void) | undefined;

  get held(): number {
    return this.#held;
  }

  get retiring(): boolean {
    return this.#retiring;
  }

  /** Takes a hold; returns false when the resource is retiring. */
  tryAcquire(): boolean {
    if (this.#retiring) return false;
    this.#held += 1;
    return true;
  }

  release(): void {
    if (this.#held === 0) throw new Error('LeaseCounter released more often than acquired');
    this.#held -= 1;
    if (this.#held === 0) this.#drained?.();
  }

  /** Refuses new holds and resolves once every current hold has been released. */
  retire(): Promise<void> {
    this.#retiring = true;
    if (this.#held === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }
}
