import type { BinaryInputDecoder, Logger, MetricsRecorder } from '@ovms/core';
import { ModelInstance } from './model-instance.js';
import type { ModelRegistry } from './model-registry.js';
import type { VersionRef, VersionTarget } from './reconcile.js';
import type { EngineSelector, ModelDefinition, ModelRepository } from './types.js';
import type { VersionEntry } from './version-state.js';

export interface VersionLoaderOptions {
  readonly registry: ModelRegistry;
  readonly repository: ModelRepository;
  readonly engines: EngineSelector;
  readonly logger: Logger;
  /** Handed to every instance, which reports each inference's timing to it. */
  readonly metrics?: MetricsRecorder;
  /** Handed to every instance: decodes binary inputs (images) sent to numeric inputs. */
  readonly decodeBinaryInputs?: BinaryInputDecoder;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Carries out a reconcile plan on the registry's version entries. Loads and reloads finish
 * before they return; unloads wait for leases in the background (tracked for `drain`), so a
 * long request never blocks the next poll.
 */
export class VersionLoader {
  readonly #options: VersionLoaderOptions;
  readonly #unloading = new Set<Promise<void>>();

  constructor(options: VersionLoaderOptions) {
    this.#options = options;
  }

  /** Loads a version that nothing serves; returns whether it became AVAILABLE. */
  async load(target: VersionTarget): Promise<boolean> {
    const record = this.#options.registry.model(target.model);
    if (record?.definition === undefined) return false;
    const entry = this.#options.registry.ensureVersion(record, target.version);
    entry.transition('LOADING');
    try {
      entry.instance = await this.#instantiate(record.definition, target);
    } catch (error) {
      entry.failedAttempt = target.attempt;
      entry.transition('LOADING', { reason: reasonOf(error) });
      return false;
    }
    entry.failedAttempt = undefined;
    entry.transition('AVAILABLE');
    return true;
  }

  /**
   * Loads changed files beside the serving instance, then swaps: requests never see the
   * version unavailable. After a failure the previous instance keeps serving.
   */
  async reload(target: VersionTarget): Promise<boolean> {
    const record = this.#options.registry.model(target.model);
    const entry = record?.versions.get(target.version);
    if (record?.definition === undefined || entry?.state !== 'AVAILABLE') return false;
    let fresh: ModelInstance;
    try {
      fresh = await this.#instantiate(record.definition, target);
    } catch (error) {
      entry.failedAttempt = target.attempt;
      entry.noteReload({ reason: reasonOf(error) });
      return false;
    }
    const previous = entry.instance;
    entry.instance = fresh;
    entry.failedAttempt = undefined;
    entry.noteReload();
    if (previous !== undefined) this.#track(this.#dispose(previous));
    return true;
  }

  /** UNLOADING now (no new leases), END once the held leases are released and it is closed. */
  retire(ref: VersionRef): void {
    const entry = this.#options.registry.model(ref.model)?.versions.get(ref.version);
    if (entry === undefined || entry.state === 'UNLOADING' || entry.state === 'END') return;
    const instance = entry.instance;
    entry.instance = undefined;
    // A failed load is remembered past its end so that the same files are not tried each poll.
    if (!entry.loadFailed) entry.failedAttempt = undefined;
    entry.transition('UNLOADING');
    this.#track(this.#finishRetirement(entry, instance));
  }

  /** Resolves once every unload started so far has finished. */
  async drain(): Promise<void> {
    while (this.#unloading.size > 0) await Promise.all([...this.#unloading]);
  }

  async #instantiate(definition: ModelDefinition, target: VersionTarget): Promise<ModelInstance> {
    const { repository, engines } = this.#options;
    const localDir = await repository.download(definition.basePath, target.version);
    try {
      const engine = await engines.select(localDir, definition.engine);
      const loaded = await engine.load(localDir, definition.loadOptions);
      try {
        return new ModelInstance({
          model: target.model,
          version: target.version,
          loaded,
          attempt: target.attempt,
          localDir,
          ...(this.#options.metrics !== undefined && { metrics: this.#options.metrics }),
          ...(this.#options.decodeBinaryInputs !== undefined && {
            decodeBinaryInputs: this.#options.decodeBinaryInputs,
          }),
          ...(definition.dynamicBatching !== undefined && {
            dynamicBatching: definition.dynamicBatching,
          }),
        });
      } catch (error) {
        // A model refused after loading (its config cannot apply to it) still holds the engine's resources.
        await loaded.close();
        throw error;
      }
    } catch (error) {
      await this.#release(localDir);
      throw error;
    }
  }

  async #finishRetirement(entry: VersionEntry, instance: ModelInstance | undefined): Promise<void> {
    if (instance !== undefined) await this.#dispose(instance);
    entry.transition('END');
  }

  async #dispose(instance: ModelInstance): Promise<void> {
    try {
      await instance.retire();
    } catch (error) {
      // The version is gone either way; a close failure must not leave it UNLOADING forever.
      this.#options.logger.error(
        {
          model: instance.servable.name,
          version: instance.servable.version,
          error: reasonOf(error),
        },
        'Closing a model instance failed',
      );
    }
    await this.#release(instance.localDir);
  }

  async #release(localDir: string): Promise<void> {
    try {
      await this.#options.repository.release?.(localDir);
    } catch (error) {
      this.#options.logger.warn(
        { localDir, error: reasonOf(error) },
        'Releasing a local copy failed',
      );
    }
  }

  #track(work: Promise<void>): void {
    this.#unloading.add(work);
    void work.finally(() => this.#unloading.delete(work));
  }
}
