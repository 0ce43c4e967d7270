import type { Logger, VersionState, VersionStatus } from '@ovms/core';
import type { ModelInstance } from './model-instance.js';
import { TfErrorCode, tfErrorCodeName } from '@ovms/core';

/** A VersionStatus plus why the last load failed, for logs and operators (not in OVMS replies). */
export interface ManagedVersionStatus extends VersionStatus {
  readonly reason?: string;
}

/** What a load was attempted with; an unchanged failed attempt is not retried. */
export interface LoadAttempt {
  readonly fingerprint: string;
  readonly loadKey: string;
}

/** Where each state may go. END → LOADING is a version that reappears (OVMS reuses it too). */
const NEXT_STATES: Readonly<Record<VersionState, readonly VersionState[]>> = {
  UNKNOWN: [],
  START: ['LOADING'],
  LOADING: ['LOADING', 'AVAILABLE', 'UNLOADING'],
  AVAILABLE: ['UNLOADING'],
  UNLOADING: ['END'],
  END: ['LOADING'],
};

/**
 * One version of one model: its state (START → LOADING → AVAILABLE → UNLOADING → END), the
 * instance serving it, and the last failed load attempt. `transition` is the only place the
 * state changes, and it logs each change once, as OVMS's ModelVersionStatus does.
 */
export class VersionEntry {
  readonly model: string;
  readonly version: number;
  /** The loaded instance requests lease; set only while the state is AVAILABLE. */
  instance: ModelInstance | undefined;
  /** The last attempt that failed, so the same files and options are not loaded again. */
  failedAttempt: LoadAttempt | undefined;
  #state: VersionState = 'START';
  #errorCode: number = TfErrorCode.OK;
  #reason: string | undefined;
  readonly #logger: Logger;
  readonly #waiters = new Set<() => void>();

  constructor(model: string, version: number, logger: Logger) {
    this.model = model;
    this.version = version;
    this.#logger = logger;
    this.#log('START');
  }

  get state(): VersionState {
    return this.#state;
  }

  /** A load failed and nothing serves this version (OVMS: LOADING with error UNKNOWN). */
  get loadFailed(): boolean {
    return this.#state === 'LOADING' && this.#errorCode !== TfErrorCode.OK;
  }

  /** START, or LOADING without an error: a request may wait for it. */
  get settling(): boolean {
    return this.#state === 'START' || (this.#state === 'LOADING' && !this.loadFailed);
  }

  /** Moves to `to`; a failure sets error UNKNOWN with its reason, anything else resets to OK. */
  transition(to: VersionState, failure?: { readonly reason: string }): void {
    const from = this.#state;
    if (!NEXT_STATES[from].includes(to)) {
      throw new Error(
        `Version ${this.version} of model ${this.model}: ${from} -> ${to} is not a valid transition`,
      );
    }
    this.#state = to;
    this.#errorCode = failure ? TfErrorCode.UNKNOWN : TfErrorCode.OK;
    this.#reason = failure?.reason;
    this.#log(from);
    for (const wake of [...this.#waiters]) wake();
  }

  /**
   * Records the outcome of reloading an AVAILABLE version: the state stays AVAILABLE (the
   * previous instance keeps serving after a failure), only the reported reason changes.
   */
  noteReload(failure?: { readonly reason: string }): void {
    this.#reason = failure === undefined ? undefined : `reload failed: ${failure.reason}`;
    const fields = { model: this.model, version: this.version, state: this.#state };
    if (failure === undefined)
      this.#logger.info(fields, `Version ${this.version} of model ${this.model} reloaded`);
    else
      this.#logger.error(
        { ...fields, reason: this.#reason },
        `Version ${this.version} of model ${this.model} failed to reload; the previous files keep serving`,
      );
  }

  status(): ManagedVersionStatus {
    const status = {
      version: this.version,
      state: this.#state,
      errorCode: this.#errorCode,
      // OVMS reports the code's name as the message ("OK", "UNKNOWN"); the cause goes in `reason`.
      errorMessage: tfErrorCodeName(this.#errorCode),
    };
    return this.#reason === undefined ? status : { ...status, reason: this.#reason };
  }

  /** Resolves at the next transition, or after `timeoutMs`, whichever comes first. */
  waitForTransition(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, timeoutMs));
      this.#waiters.add(wake);
    });
  }

  #log(from: VersionState): void {
    const fields = {
      model: this.model,
      version: this.version,
      from,
      state: this.#state,
      errorCode: tfErrorCodeName(this.#errorCode),
      ...(this.#reason === undefined ? {} : { reason: this.#reason }),
    };
    const status = `${this.#state} (${tfErrorCodeName(this.#errorCode)})`;
    const subject = `Version ${this.version} of model ${this.model}`;
    // Only a failed load carries a reason here; its line says so in words, at error level.
    if (this.#reason === undefined)
      this.#logger.info(fields, `${subject} status change: ${status}`);
    else
      this.#logger.error(fields, `${subject} failed to load: ${this.#reason}; status: ${status}`);
  }
}
