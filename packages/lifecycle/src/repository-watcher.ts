import type { Logger } from '@ovms/core';

export interface RepositoryWatcherOptions {
  /** Time between the end of one pass and the start of the next; 0 disables polling. */
  readonly intervalMs: number;
  readonly pass: () => Promise<void>;
  readonly logger: Logger;
}

/**
 * Runs the manager's pass every `intervalMs` (OVMS `file_system_poll_wait_seconds`). Passes
 * never overlap: the next one is scheduled when the previous one ends.
 */
export class RepositoryWatcher {
  readonly #options: RepositoryWatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: RepositoryWatcherOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || !this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops scheduling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#running = this.#options
        .pass()
        .catch((error: unknown) => {
          this.#options.logger.error(
            { error: error instanceof Error ? error.message : String(error) },
            'Repository poll failed',
          );
        })
        .finally(() => {
          this.#running = undefined;
          if (!this.#stopped) this.#schedule();
        });
    }, this.#options.intervalMs);
    // Polling alone must not keep the process alive; the servers do.
    this.#timer.unref();
  }
}
