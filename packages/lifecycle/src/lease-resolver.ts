import { ServingError, StatusCode } from '@ovms/core';
import type { ServableLease } from '@ovms/core';
import type { ModelRecord, ModelRegistry } from './model-registry.js';
import type { VersionEntry } from './version-state.js';

/** Either a lease, an error to throw, or an entry worth waiting for. */
type Attempt =
  | { readonly lease: ServableLease }
  | { readonly error: ServingError }
  | { readonly waitFor: VersionEntry };

/**
 * Resolves `name` (and `version`, or the highest AVAILABLE one when undefined) to a lease,
 * with OVMS's codes: MODEL_NAME_MISSING, MODEL_VERSION_MISSING, MODEL_VERSION_NOT_LOADED_ANYMORE
 * and, after waiting up to `loadingWaitMs` for a loading version, MODEL_VERSION_NOT_LOADED_YET.
 */
export async function acquireLease(
  registry: ModelRegistry,
  name: string,
  version: number | undefined,
  loadingWaitMs: number,
): Promise<ServableLease> {
  const deadline = Date.now() + loadingWaitMs;
  for (;;) {
    const record = registry.model(name);
    if (record === undefined) throw new ServingError(StatusCode.MODEL_NAME_MISSING);
    const attempt =
      version === undefined ? resolveDefault(record) : resolveVersion(record, version);
    if ('lease' in attempt) return attempt.lease;
    if ('error' in attempt) throw attempt.error;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_YET);
    await attempt.waitFor.waitForTransition(remaining);
  }
}

function leaseOf(entry: VersionEntry): Attempt {
  // Swaps detach an instance before retiring it, in the same tick, so an AVAILABLE entry's
  // instance always takes leases; the fallback only guards that invariant.
  const lease = entry.instance?.tryLease();
  return lease === undefined
    ? { error: new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE) }
    : { lease };
}

function resolveVersion(record: ModelRecord, version: number): Attempt {
  const entry = record.versions.get(version);
  if (entry === undefined) return { error: new ServingError(StatusCode.MODEL_VERSION_MISSING) };
  switch (entry.state) {
    case 'AVAILABLE':
      return leaseOf(entry);
    case 'START':
    case 'LOADING':
      // OVMS would wait out its timeout on a failed load too; answering at once says the same.
      return entry.loadFailed
        ? { error: new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_YET) }
        : { waitFor: entry };
    case 'UNLOADING':
    case 'END':
      return { error: new ServingError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE) };
    case 'UNKNOWN':
      return { error: new ServingError(StatusCode.MODEL_VERSION_MISSING) };
  }
}

function resolveDefault(record: ModelRecord): Attempt {
  let available: VersionEntry | undefined;
  let settling: VersionEntry | undefined;
  for (const entry of record.versions.values()) {
    if (entry.state === 'AVAILABLE' && entry.version > (available?.version ?? 0)) available = entry;
    if (entry.settling && entry.version > (settling?.version ?? 0)) settling = entry;
  }
  if (available !== undefined) return leaseOf(available);
  // OVMS answers at once here; waiting (bounded) lets requests sent at startup succeed.
  if (settling !== undefined) return { waitFor: settling };
  return { error: new ServingError(StatusCode.MODEL_VERSION_MISSING) };
}
