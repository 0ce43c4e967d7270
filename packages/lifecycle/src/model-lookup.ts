import type { ModelRegistry } from './model-registry.js';
import type { ModelLookup } from './types.js';
import type { VersionEntry } from './version-state.js';

function highestAvailable(entries: Iterable<VersionEntry>): VersionEntry | undefined {
  let best: VersionEntry | undefined;
  for (const entry of entries) {
    if (entry.state === 'AVAILABLE' && entry.version > (best?.version ?? 0)) best = entry;
  }
  return best;
}

/** The lookup builds see: only AVAILABLE versions count, as requests could not lease others. */
export function lookupIn(models: ModelRegistry): ModelLookup {
  return (name, version) => {
    const versions = models.model(name)?.versions;
    if (versions === undefined) return 'missing';
    const entry =
      version === undefined ? highestAvailable(versions.values()) : versions.get(version);
    const servable = entry?.state === 'AVAILABLE' ? entry.instance?.servable : undefined;
    return servable === undefined
      ? 'missing'
      : { inputs: servable.inputs, outputs: servable.outputs };
  };
}

/** Every model's AVAILABLE versions and signatures: changes whenever any model does. */
export function availableSignatures(models: ModelRegistry): unknown[] {
  return [...models.models()].map((record) => [
    record.name,
    [...record.versions.values()]
      .filter((entry) => entry.state === 'AVAILABLE')
      .map((entry) => [
        entry.version,
        entry.instance?.servable.inputs,
        entry.instance?.servable.outputs,
      ]),
  ]);
}
