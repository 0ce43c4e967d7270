import type { Logger } from '@ovms/core';
import type { ModelVersionUsage } from './model-instance.js';
import type { CurrentModel } from './reconcile.js';
import { stableKey } from './stable-key.js';
import type { ModelDefinition } from './types.js';
import { VersionEntry } from './version-state.js';

/** A model the manager has seen. OVMS never forgets one: a model removed from config ends. */
export interface ModelRecord {
  readonly name: string;
  /** Undefined once the model was removed from the config. */
  definition: ModelDefinition | undefined;
  loadKey: string;
  readonly versions: Map<number, VersionEntry>;
  /** Why the last repository listing failed, if it did. */
  repositoryError: string | undefined;
}

/** What a load depends on besides the files: a change reloads every version of the model. */
export function loadKeyOf(definition: ModelDefinition): string {
  return stableKey({
    basePath: definition.basePath,
    engine: definition.engine ?? null,
    loadOptions: definition.loadOptions,
    // Only when set, so the keys of models without batching stay as they were.
    ...(definition.dynamicBatching !== undefined && { batching: definition.dynamicBatching }),
  });
}

/** Models and their versions, by name. Holds state; decides nothing. */
export class ModelRegistry {
  readonly #models = new Map<string, ModelRecord>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  model(name: string): ModelRecord | undefined {
    return this.#models.get(name);
  }

  models(): IterableIterator<ModelRecord> {
    return this.#models.values();
  }

  /** The usage of every AVAILABLE version whose engine reports it. */
  *usage(): Generator<ModelVersionUsage, void, undefined> {
    for (const record of this.#models.values()) {
      for (const entry of record.versions.values()) {
        if (entry.state !== 'AVAILABLE') continue;
        const usage = entry.instance?.usage();
        if (usage !== undefined) yield usage;
      }
    }
  }

  /** Models still in the config. */
  configuredModels(): ModelRecord[] {
    return [...this.#models.values()].filter((record) => record.definition !== undefined);
  }

  /** The entry for `version`, created in START when first seen. */
  ensureVersion(record: ModelRecord, version: number): VersionEntry {
    let entry = record.versions.get(version);
    if (entry === undefined) {
      entry = new VersionEntry(record.name, version, this.#logger);
      record.versions.set(version, entry);
    }
    return entry;
  }

  /** Installs the config's models; returns whether any model definition changed. */
  applyConfig(models: readonly ModelDefinition[]): boolean {
    let changed = false;
    const wanted = new Map(models.map((definition) => [definition.name, definition]));
    for (const record of this.#models.values()) {
      if (record.definition !== undefined && !wanted.has(record.name)) {
        record.definition = undefined;
        changed = true;
      }
    }
    for (const definition of wanted.values()) {
      const record = this.#models.get(definition.name);
      if (record === undefined) {
        this.#models.set(definition.name, {
          name: definition.name,
          definition,
          loadKey: loadKeyOf(definition),
          versions: new Map(),
          repositoryError: undefined,
        });
        changed = true;
      } else if (
        record.definition === undefined ||
        stableKey(record.definition) !== stableKey(definition)
      ) {
        // A model added back gets a fresh try at versions that failed before it left.
        if (record.definition === undefined) {
          for (const entry of record.versions.values()) entry.failedAttempt = undefined;
        }
        record.definition = definition;
        record.loadKey = loadKeyOf(definition);
        changed = true;
      }
    }
    return changed;
  }

  /** The input of `reconcile`: every model and the state of each version. */
  snapshot(): CurrentModel[] {
    return [...this.#models.values()].map((record) => ({
      name: record.name,
      versions: [...record.versions.values()].map((entry) => ({
        version: entry.version,
        state: entry.state,
        loadFailed: entry.loadFailed,
        ...(entry.instance === undefined ? {} : { served: entry.instance.attempt }),
        ...(entry.failedAttempt === undefined ? {} : { failedAttempt: entry.failedAttempt }),
      })),
    }));
  }
}
