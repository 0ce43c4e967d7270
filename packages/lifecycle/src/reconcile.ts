import type { VersionState } from '@ovms/core';
import { filterVersions } from './version-policy.js';
import type { VersionPolicy } from './version-policy.js';
import type { LoadAttempt } from './version-state.js';

/** One version as the manager holds it now. */
export interface CurrentVersion {
  readonly version: number;
  readonly state: VersionState;
  /** LOADING with an error: the last load failed and nothing serves it. */
  readonly loadFailed: boolean;
  /** What the serving instance was loaded from (set while AVAILABLE). */
  readonly served?: LoadAttempt;
  readonly failedAttempt?: LoadAttempt;
}

export interface CurrentModel {
  readonly name: string;
  readonly versions: readonly CurrentVersion[];
}

/** A model the config asks for, with what its repository holds now. */
export interface DesiredModel {
  readonly name: string;
  readonly policy: VersionPolicy;
  /** Changes when anything a load depends on changes (options, engine, base path). */
  readonly loadKey: string;
  /** Fingerprint by version directory; undefined when listing failed, which changes nothing. */
  readonly repository: ReadonlyMap<number, string> | undefined;
}

export interface VersionRef {
  readonly model: string;
  readonly version: number;
}

export interface VersionTarget extends VersionRef {
  readonly attempt: LoadAttempt;
}

/** What to do to reach the desired state: load new versions, reload changed ones, retire the rest. */
export interface ReconcilePlan {
  readonly toLoad: VersionTarget[];
  readonly toReload: VersionTarget[];
  readonly toRetire: VersionRef[];
}

export function isEmptyPlan(plan: ReconcilePlan): boolean {
  return plan.toLoad.length === 0 && plan.toReload.length === 0 && plan.toRetire.length === 0;
}

function sameAttempt(a: LoadAttempt | undefined, b: LoadAttempt): boolean {
  return a !== undefined && a.fingerprint === b.fingerprint && a.loadKey === b.loadKey;
}

/** UNLOADING finishes on its own; END has nothing left to stop. */
function isWindingDown(state: VersionState): boolean {
  return state === 'UNLOADING' || state === 'END';
}

/**
 * The pure diff between what is loaded and what the config and repositories ask for.
 *
 * As in OVMS, a version whose load failed is left out before the policy is applied, so
 * `latest 1` falls back to the previous version; the failed version keeps reporting its error
 * while it is still wanted and is not retried until its files or load options change.
 */
export function reconcile(
  current: readonly CurrentModel[],
  desired: readonly DesiredModel[],
): ReconcilePlan {
  const plan: ReconcilePlan = { toLoad: [], toReload: [], toRetire: [] };
  const currentByName = new Map(current.map((model) => [model.name, model]));
  const desiredNames = new Set(desired.map((model) => model.name));

  for (const model of desired) {
    if (model.repository === undefined) continue;
    const versions = new Map(
      (currentByName.get(model.name)?.versions ?? []).map((entry) => [entry.version, entry]),
    );
    diffModel(model, model.repository, versions, plan);
  }
  for (const model of current) {
    if (desiredNames.has(model.name)) continue;
    for (const entry of model.versions) {
      if (!isWindingDown(entry.state))
        plan.toRetire.push({ model: model.name, version: entry.version });
    }
  }
  return plan;
}

function diffModel(
  model: DesiredModel,
  repository: ReadonlyMap<number, string>,
  versions: ReadonlyMap<number, CurrentVersion>,
  plan: ReconcilePlan,
): void {
  const attemptFor = (fingerprint: string): LoadAttempt => ({
    fingerprint,
    loadKey: model.loadKey,
  });
  const failedBefore = (version: number): boolean => {
    const fingerprint = repository.get(version);
    return (
      fingerprint !== undefined &&
      sameAttempt(versions.get(version)?.failedAttempt, attemptFor(fingerprint))
    );
  };
  // Unchanged failed loads are left out (also once retired, or each poll would retry them);
  // a failed reload still serves its previous files.
  const blocked = (version: number): boolean => {
    const entry = versions.get(version);
    return (entry?.loadFailed === true || entry?.state === 'END') && failedBefore(version);
  };
  const found = [...repository.keys()];
  const requested = filterVersions(
    model.policy,
    found.filter((version) => !blocked(version)),
  );
  const requestedSet = new Set(requested);

  for (const version of requested) {
    const attempt = attemptFor(repository.get(version) ?? '');
    const entry = versions.get(version);
    const target = { model: model.name, version, attempt };
    if (entry === undefined || entry.state === 'END' || entry.loadFailed) plan.toLoad.push(target);
    else if (
      entry.state === 'AVAILABLE' &&
      !sameAttempt(entry.served, attempt) &&
      !failedBefore(version)
    )
      plan.toReload.push(target);
  }

  // A failed version stays visible with its error while the policy would still pick it.
  const wantedIgnoringFailures = new Set(filterVersions(model.policy, found));
  const lowestRequested = requested[0];
  const keepsFailure = (version: number): boolean =>
    blocked(version) &&
    (wantedIgnoringFailures.has(version) ||
      lowestRequested === undefined ||
      version > lowestRequested);

  for (const entry of versions.values()) {
    if (requestedSet.has(entry.version) || isWindingDown(entry.state)) continue;
    if (entry.loadFailed && keepsFailure(entry.version)) continue;
    plan.toRetire.push({ model: model.name, version: entry.version });
  }
}
