import { ServingError, StatusCode } from '@ovms/core';
import type { Logger, ServableLease } from '@ovms/core';
import { availableSignatures, lookupIn } from './model-lookup.js';
import type { ModelRegistry } from './model-registry.js';
import { PipelineInstance } from './pipeline-instance.js';
import { pipelineStatus } from './pipeline-status.js';
import { stableKey } from './stable-key.js';
import type { ModelLookup, PipelineFactory, PipelineRegistration } from './types.js';
import type { ManagedVersionStatus } from './version-state.js';

export interface PipelineRecord<D = unknown> {
  readonly name: string;
  definition: PipelineRegistration<D>;
  removed: boolean;
  /** A meaning error found here (a name clash with a model); the pipeline is not built. */
  configError: string | undefined;
  /** Why the last build failed; undefined while the pipeline serves or was not built yet. */
  buildError: ServingError | undefined;
  /** The instance requests lease; set only while the pipeline is AVAILABLE. */
  instance: PipelineInstance | undefined;
  /** What the last build saw (definition + the models it used); unchanged → no rebuild. */
  builtKey: string | undefined;
}

export interface PipelineRegistryOptions<D> {
  readonly models: ModelRegistry;
  readonly logger: Logger;
  /** Absent: pipelines are only reported (LOADING), never served. */
  readonly factory?: PipelineFactory<D>;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Pipeline definitions by name and the instance serving each. `synchronize` (re)builds every
 * pipeline whose definition or used models changed since its last build, swaps the instance,
 * and retires the previous one after its leases, as OVMS revalidates a pipeline definition
 * when a model it uses changes.
 */
export class PipelineRegistry<D = unknown> {
  readonly #records = new Map<string, PipelineRecord<D>>();
  readonly #options: PipelineRegistryOptions<D>;
  readonly #retiring = new Set<Promise<void>>();
  readonly #lookup: ModelLookup;

  constructor(options: PipelineRegistryOptions<D>) {
    this.#options = options;
    this.#lookup = lookupIn(options.models);
  }

  /**
   * Whether `name` resolves to a pipeline: a configured model wins a clash (the pipeline is
   * invalid then, as in OVMS), then a configured pipeline, then whichever was seen at all.
   */
  owns(name: string): boolean {
    const record = this.#records.get(name);
    const model = this.#options.models.model(name);
    if (record === undefined || model?.definition !== undefined) return false;
    return !record.removed || model === undefined;
  }

  /** The status of pipeline `name` (version 1); `owns(name)` must hold. */
  status(name: string): ManagedVersionStatus {
    const record = this.#records.get(name);
    if (record === undefined) throw new ServingError(StatusCode.PIPELINE_DEFINITION_NAME_MISSING);
    return pipelineStatus(record, this.#options.factory !== undefined);
  }

  records(): IterableIterator<PipelineRecord<D>> {
    return this.#records.values();
  }

  /** Installs the config's pipelines; returns whether any definition changed. */
  applyConfig(
    pipelines: readonly PipelineRegistration<D>[],
    modelNames: ReadonlySet<string>,
  ): boolean {
    let changed = false;
    const wanted = new Map(pipelines.map((definition) => [definition.name, definition]));
    for (const record of this.#records.values()) {
      if (!record.removed && !wanted.has(record.name)) {
        record.removed = true;
        changed = true;
      }
    }
    for (const definition of wanted.values()) {
      const configError = modelNames.has(definition.name)
        ? `pipeline name ${definition.name} is already used by a model`
        : undefined;
      const record = this.#records.get(definition.name);
      if (record === undefined) {
        this.#records.set(definition.name, {
          name: definition.name,
          definition,
          removed: false,
          configError,
          buildError: undefined,
          instance: undefined,
          builtKey: undefined,
        });
        changed = true;
      } else if (
        record.removed ||
        record.configError !== configError ||
        stableKey(record.definition) !== stableKey(definition)
      ) {
        Object.assign(record, { definition, removed: false, configError });
        changed = true;
      }
    }
    return changed;
  }

  /** Leases pipeline `name` without waiting: a pipeline is built before the manager is ready. */
  acquire(name: string): Promise<ServableLease> {
    const lease = this.#tryAcquire(name);
    return lease instanceof ServingError ? Promise.reject(lease) : Promise.resolve(lease);
  }

  #tryAcquire(name: string): ServableLease | ServingError {
    const record = this.#records.get(name);
    if (record === undefined) return new ServingError(StatusCode.PIPELINE_DEFINITION_NAME_MISSING);
    if (record.removed) {
      return new ServingError(
        StatusCode.PIPELINE_DEFINITION_NOT_LOADED_ANYMORE,
        `pipeline ${name} was removed from the config`,
      );
    }
    const lease = record.instance?.tryLease();
    if (lease !== undefined) return lease;
    const why = record.configError ?? record.buildError?.message;
    return new ServingError(
      StatusCode.PIPELINE_DEFINITION_NOT_LOADED_YET,
      why !== undefined
        ? `pipeline ${name} is invalid: ${why}`
        : this.#options.factory !== undefined
          ? `pipeline ${name} is not built yet`
          : `pipeline ${name} is defined but this server does not serve pipelines`,
    );
  }

  /**
   * Builds, rebuilds or retires each pipeline whose definition or models changed; one build at
   * a time, since builds share the app's custom node libraries. Returns whether any changed.
   */
  async synchronize(): Promise<boolean> {
    const factory = this.#options.factory;
    let changed = false;
    // A failed build says nothing about which models it needed, so any model change retries it.
    const modelsKey = stableKey(availableSignatures(this.#options.models));
    for (const record of this.#records.values()) {
      if (record.removed || record.configError !== undefined || factory === undefined) {
        if (record.instance !== undefined) {
          this.#swap(record, undefined, 'retired');
          changed = true;
        }
        record.builtKey = undefined;
        continue;
      }
      const definitionKey = stableKey(record.definition);
      const seen =
        record.instance === undefined
          ? `${definitionKey}|failed|${modelsKey}`
          : `${definitionKey}|${this.#usesKey(record.instance)}`;
      if (seen === record.builtKey) continue;
      changed = true;
      await this.#build(record, factory, definitionKey, modelsKey);
    }
    return changed;
  }

  /** Retires every instance (stop): no new leases, disposal after the held ones. */
  retireAll(): void {
    for (const record of this.#records.values()) {
      if (record.instance !== undefined) this.#swap(record, undefined, 'retired');
    }
  }

  /** Resolves once every retirement started so far has finished. */
  async drain(): Promise<void> {
    while (this.#retiring.size > 0) await Promise.all([...this.#retiring]);
  }

  async #build(
    record: PipelineRecord<D>,
    factory: PipelineFactory<D>,
    definitionKey: string,
    modelsKey: string,
  ): Promise<void> {
    const { logger } = this.#options;
    let build;
    try {
      build = await factory.build(record.definition.definition, this.#lookup);
    } catch (error) {
      // A factory should answer { ok: false }; a throw is its bug, reported the same way.
      const cause = error instanceof ServingError ? error.message : reasonOf(error);
      build = {
        ok: false as const,
        error: new ServingError(StatusCode.INTERNAL_ERROR, cause),
        dispose: () => Promise.resolve(),
      };
    }
    if (build.ok) {
      const instance = new PipelineInstance(build);
      record.buildError = undefined;
      record.builtKey = `${definitionKey}|${this.#usesKey(instance)}`;
      this.#swap(record, instance, 'AVAILABLE');
      return;
    }
    record.buildError = build.error;
    record.builtKey = `${definitionKey}|failed|${modelsKey}`;
    this.#track(build.dispose());
    this.#swap(record, undefined, 'LOADING');
    logger.error(
      { pipeline: record.name, code: build.error.code, reason: build.error.message },
      `Pipeline ${record.name} is not available: ${build.error.message}`,
    );
  }

  #swap(record: PipelineRecord<D>, next: PipelineInstance | undefined, state: string): void {
    const previous = record.instance;
    record.instance = next;
    if (previous !== undefined) this.#track(previous.retire());
    this.#options.logger.info(
      { pipeline: record.name, state },
      `Pipeline ${record.name} status change: ${state}`,
    );
  }

  #usesKey(instance: PipelineInstance): string {
    return stableKey(
      instance.uses.map((use) => [
        use.model,
        use.version ?? 0,
        this.#lookup(use.model, use.version),
      ]),
    );
  }

  #track(work: Promise<void>): void {
    const guarded = work.catch((error: unknown) => {
      this.#options.logger.error({ error: reasonOf(error) }, 'Disposing a pipeline build failed');
    });
    this.#retiring.add(guarded);
    void guarded.finally(() => this.#retiring.delete(guarded));
  }
}
