import type { StatisticDuration, VersionCounters } from './inference-statistics.js';

/** A model version's state as Triton's repository index reports it. */
export type RepositoryModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

/** One row of the repository index: a model version, or a model that has none loaded. */
export interface RepositoryIndexEntry {
  readonly name: string;
  /** The version number as text; empty for a model no version of which is known. */
  readonly version: string;
  readonly state: RepositoryModelState;
  /** Why it is not READY (a load error, "unloaded"); empty when READY. */
  readonly reason: string;
}

/**
 * `none`: models load at start and load/unload requests are refused; `explicit`: models of the
 * repository load and unload only by request (Triton's `--model-control-mode`).
 */
export type ModelControlMode = 'none' | 'explicit';

/** One model version's statistics in Triton's shape (its `ModelStatistics`). */
export interface ModelVersionStatistics extends VersionCounters {
  readonly name: string;
  readonly version: number;
  /** Preparing inputs and outputs happens outside the engine run and is not timed apart: zero. */
  readonly computeInput: StatisticDuration;
  readonly computeOutput: StatisticDuration;
}

/**
 * What the transports see of model management beyond serving (Triton's repository and
 * statistics extensions). Implemented by @ovms/lifecycle; failures are ServingErrors: a name
 * that is not one plain folder name is INVALID_ARGUMENT, load/unload outside explicit mode
 * MODEL_CONTROL_DISABLED, a model the config file owns MODEL_CONTROL_CONFLICT.
 */
export interface ModelControl {
  readonly mode: ModelControlMode;
  /** Every model of the repository and every model and pipeline served; `ready`: READY rows only. */
  index(options?: { readonly ready?: boolean }): Promise<readonly RepositoryIndexEntry[]>;
  /**
   * Loads (or reloads) the repository folder `name`; `config` is an OVMS model config object as
   * JSON text overriding the defaults. Resolves once a version is AVAILABLE; rejects with
   * MODEL_LOAD_FAILED (and the reason) when none became so.
   */
  load(name: string, options?: { readonly config?: string }): Promise<void>;
  /** Unloads `name`; resolves once its versions ended (requests admitted before finish first). */
  unload(name: string): Promise<void>;
  /**
   * Statistics of the loaded versions of every model, of `name`, or of one version of it;
   * MODEL_NAME_MISSING / MODEL_VERSION_MISSING when nothing matches.
   */
  statistics(name?: string, version?: number): readonly ModelVersionStatistics[];
}
