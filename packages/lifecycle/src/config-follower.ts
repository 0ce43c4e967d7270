import { ServingError, StatusCode } from '@ovms/core';
import type { Logger } from '@ovms/core';
import type { ConfigLoader, ManagerConfig } from './types.js';

/** The config file's health, for `/v1/config` consumers and operators. */
export interface ConfigStatus {
  /** Hash of the config in force; undefined with a fixed config. */
  readonly appliedHash: string | undefined;
  /** Why the last read failed; the config in force keeps serving meanwhile. */
  readonly error: ServingError | undefined;
  readonly repositoryErrors: readonly { readonly model: string; readonly message: string }[];
}

function toConfigError(error: unknown): ServingError {
  if (error instanceof ServingError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ServingError(StatusCode.CONFIG_FILE_INVALID, detail, { cause: error });
}

/**
 * Re-reads the config file and tells whether its content changed since the config in force;
 * remembers the last read error so that a broken file is logged once, not every poll.
 */
export class ConfigFollower<D> {
  appliedHash: string | undefined;
  error: ServingError | undefined;
  readonly #load: ConfigLoader<D>;
  readonly #logger: Logger;

  constructor(load: ConfigLoader<D>, logger: Logger) {
    this.#load = load;
    this.#logger = logger;
  }

  /**
   * The new config when its hash changed (now counted as applied), undefined when it did not;
   * rejects with the read's ServingError, leaving the config in force.
   */
  async read(): Promise<ManagerConfig<D> | undefined> {
    let snapshot;
    try {
      snapshot = await this.#load();
    } catch (error) {
      const configError = toConfigError(error);
      if (this.error?.message !== configError.message) {
        this.#logger.error(
          { error: configError.message },
          'Reading the config failed; the models in force keep serving',
        );
      }
      this.error = configError;
      throw configError;
    }
    this.error = undefined;
    if (snapshot.hash === this.appliedHash) return undefined;
    this.appliedHash = snapshot.hash;
    this.#logger.info(
      {
        hash: snapshot.hash,
        models: snapshot.config.models.length,
        pipelines: snapshot.config.pipelines.length,
      },
      'Config applied',
    );
    return snapshot.config;
  }
}
