import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmptyPlan, reconcile } from './reconcile.js';
import type { CurrentModel, CurrentVersion, DesiredModel, ReconcilePlan } from './reconcile.js';
import { filterVersions } from './version-policy.js';
import type { VersionPolicy } from './version-policy.js';

const KEY = 'options-a';

function desired(
  repository: Record<number, string> | undefined,
  policy: VersionPolicy = { kind: 'latest', numVersions: 1 },
  loadKey = KEY,
): DesiredModel {
  return {
    name: 'm',
    policy,
    loadKey,
    repository:
      repository === undefined
        ? undefined
        : new Map(Object.entries(repository).map(([v, f]) => [Number(v), f])),
  };
}

function available(version: number, fingerprint = `f${version}`, loadKey = KEY): CurrentVersion {
  return { version, state: 'AVAILABLE', loadFailed: false, served: { fingerprint, loadKey } };
}

function failed(version: number, fingerprint = `f${version}`, loadKey = KEY): CurrentVersion {
  return { version, state: 'LOADING', loadFailed: true, failedAttempt: { fingerprint, loadKey } };
}

const model = (...versions: CurrentVersion[]): CurrentModel[] => [{ name: 'm', versions }];
const versionsOf = (plan: ReconcilePlan) => ({
  load: plan.toLoad.map((t) => t.version),
  reload: plan.toReload.map((t) => t.version),
  retire: plan.toRetire.map((t) => t.version),
});

describe('reconcile', () => {
  it('loads what the policy selects from a new model', () => {
    const plan = reconcile([], [desired({ 1: 'f1', 2: 'f2' })]);
    expect(plan.toLoad).toEqual([
      { model: 'm', version: 2, attempt: { fingerprint: 'f2', loadKey: KEY } },
    ]);
    expect(plan.toReload).toEqual([]);
    expect(plan.toRetire).toEqual([]);
  });

  it('swaps to a new latest version: load the new one, retire the old one', () => {
    const plan = reconcile(model(available(1)), [desired({ 1: 'f1', 2: 'f2' })]);
    expect(versionsOf(plan)).toEqual({ load: [2], reload: [], retire: [1] });
  });

  it('falls back to the previous version when a version directory is removed', () => {
    const plan = reconcile(model(available(1), available(2)), [
      desired({ 1: 'f1' }, { kind: 'all' }),
    ]);
    expect(versionsOf(plan)).toEqual({ load: [], reload: [], retire: [2] });
  });

  it('reloads a version whose files or load options changed', () => {
    expect(versionsOf(reconcile(model(available(1)), [desired({ 1: 'changed' })]))).toEqual({
      load: [],
      reload: [1],
      retire: [],
    });
    expect(
      versionsOf(reconcile(model(available(1)), [desired({ 1: 'f1' }, undefined, 'options-b')])),
    ).toEqual({ load: [], reload: [1], retire: [] });
  });

  it('does not retry an unchanged failed load and falls back below it', () => {
    const plan = reconcile(model(failed(2)), [desired({ 1: 'f1', 2: 'f2' })]);
    expect(versionsOf(plan)).toEqual({ load: [1], reload: [], retire: [] });
  });

  it('retries a failed version once its files change', () => {
    const plan = reconcile(model(failed(2), available(1)), [desired({ 1: 'f1', 2: 'fixed' })]);
    expect(versionsOf(plan)).toEqual({ load: [2], reload: [], retire: [1] });
  });

  it('keeps a failed reload serving its previous files without retrying', () => {
    const version: CurrentVersion = {
      ...available(1),
      failedAttempt: { fingerprint: 'bad', loadKey: KEY },
    };
    expect(isEmptyPlan(reconcile(model(version), [desired({ 1: 'bad' })]))).toBe(true);
  });

  it('retires a failed version once a newer one supersedes it', () => {
    const plan = reconcile(model(failed(2), available(3)), [desired({ 2: 'f2', 3: 'f3' })]);
    expect(versionsOf(plan)).toEqual({ load: [], reload: [], retire: [2] });
  });

  it('retires every version of a model removed from the config', () => {
    const current = model(available(1), failed(2), { version: 3, state: 'END', loadFailed: false });
    expect(versionsOf(reconcile(current, []))).toEqual({ load: [], reload: [], retire: [1, 2] });
  });

  it('changes nothing when the repository could not be listed', () => {
    expect(isEmptyPlan(reconcile(model(available(1)), [desired(undefined)]))).toBe(true);
  });

  it('does not retry a retired failed version with unchanged files', () => {
    const ended: CurrentVersion = {
      version: 1,
      state: 'END',
      loadFailed: false,
      failedAttempt: { fingerprint: 'f1', loadKey: KEY },
    };
    const plan = reconcile(model(ended, available(2)), [
      desired({ 1: 'f1', 2: 'f2' }, { kind: 'all' }),
    ]);
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('leaves UNLOADING versions alone and loads an ended version that comes back', () => {
    const current = model(
      { version: 1, state: 'UNLOADING', loadFailed: false },
      { version: 2, state: 'END', loadFailed: false },
    );
    const plan = reconcile(current, [desired({ 1: 'f1', 2: 'f2' }, { kind: 'all' })]);
    expect(versionsOf(plan)).toEqual({ load: [2], reload: [], retire: [] });
  });
});

// Property tests: simulate applying plans against a repository where some files fail to load.
const policies: fc.Arbitrary<VersionPolicy> = fc.oneof(
  fc.constant<VersionPolicy>({ kind: 'all' }),
  fc
    .integer({ min: 1, max: 3 })
    .map((numVersions): VersionPolicy => ({ kind: 'latest', numVersions })),
  fc
    .uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 3 })
    .map((versions): VersionPolicy => ({ kind: 'specific', versions })),
);
const repositories = fc.dictionary(
  fc.integer({ min: 1, max: 6 }).map(String),
  fc.constantFrom('a', 'b', 'bad'),
  { maxKeys: 6 },
);
const states = fc.array(
  fc.record({
    version: fc.integer({ min: 1, max: 6 }),
    kind: fc.constantFrom('available', 'failed', 'end', 'unloading'),
    fingerprint: fc.constantFrom('a', 'b', 'bad'),
  }),
  { maxLength: 6 },
);

function currentFrom(
  entries: { version: number; kind: string; fingerprint: string }[],
): CurrentModel[] {
  const byVersion = new Map<number, CurrentVersion>();
  for (const { version, kind, fingerprint } of entries) {
    if (kind === 'available') byVersion.set(version, available(version, fingerprint));
    else if (kind === 'failed') byVersion.set(version, failed(version, fingerprint));
    else if (kind === 'end') byVersion.set(version, { version, state: 'END', loadFailed: false });
    else byVersion.set(version, { version, state: 'UNLOADING', loadFailed: false });
  }
  return model(...byVersion.values());
}

/** Applies a plan the way the manager does; fingerprint 'bad' fails to load. */
function apply(current: CurrentModel[], plan: ReconcilePlan): CurrentModel[] {
  const versions = new Map((current[0]?.versions ?? []).map((entry) => [entry.version, entry]));
  for (const target of [...plan.toLoad, ...plan.toReload]) {
    const before = versions.get(target.version);
    const fails = target.attempt.fingerprint === 'bad';
    if (!fails) versions.set(target.version, available(target.version, target.attempt.fingerprint));
    else if (before?.state === 'AVAILABLE')
      versions.set(target.version, { ...before, failedAttempt: target.attempt });
    else versions.set(target.version, failed(target.version, target.attempt.fingerprint));
  }
  for (const ref of plan.toRetire) {
    const before = versions.get(ref.version);
    const ended: CurrentVersion = { version: ref.version, state: 'END', loadFailed: false };
    versions.set(
      ref.version,
      before?.loadFailed === true && before.failedAttempt !== undefined
        ? { ...ended, failedAttempt: before.failedAttempt }
        : ended,
    );
  }
  return model(...versions.values());
}

/** The manager's pass: load rounds until stable, then retire. */
function pass(current: CurrentModel[], want: DesiredModel): CurrentModel[] {
  let state = current;
  for (let round = 0; round < 10; round += 1) {
    const plan = reconcile(state, [want]);
    if (plan.toLoad.length === 0 && plan.toReload.length === 0) break;
    state = apply(state, { ...plan, toRetire: [] });
  }
  return apply(state, { toLoad: [], toReload: [], toRetire: reconcile(state, [want]).toRetire });
}

describe('reconcile properties', () => {
  it('never puts one version in two lists, and only loads versions the repository holds', () => {
    fc.assert(
      fc.property(states, repositories, policies, (entries, repo, policy) => {
        const want = desired(repo, policy);
        const plan = reconcile(currentFrom(entries), [want]);
        const all = [...plan.toLoad, ...plan.toReload, ...plan.toRetire].map((t) => t.version);
        expect(new Set(all).size).toBe(all.length);
        for (const target of [...plan.toLoad, ...plan.toReload]) {
          expect(want.repository?.get(target.version)).toBe(target.attempt.fingerprint);
        }
      }),
    );
  });

  it('converges in one pass: a second pass over the same inputs changes nothing', () => {
    fc.assert(
      fc.property(states, repositories, policies, (entries, repo, policy) => {
        const want = desired(repo, policy);
        const after = pass(currentFrom(entries), want);
        expect(isEmptyPlan(reconcile(after, [want]))).toBe(true);
      }),
    );
  });

  it('serves what the policy selects among the versions that load', () => {
    fc.assert(
      fc.property(repositories, policies, (repo, policy) => {
        const want = desired(repo, policy);
        const after = pass([], want);
        const loadable = Object.entries(repo)
          .filter(([, fingerprint]) => fingerprint !== 'bad')
          .map(([version]) => Number(version));
        const serving = (after[0]?.versions ?? [])
          .filter((entry) => entry.state === 'AVAILABLE')
          .map((entry) => entry.version)
          .sort((a, b) => a - b);
        expect(serving).toEqual(filterVersions(policy, loadable));
      }),
    );
  });

  it('retires every live version of models that left the config, and nothing else', () => {
    fc.assert(
      fc.property(states, (entries) => {
        const current = currentFrom(entries);
        const plan = reconcile(current, []);
        const live = (current[0]?.versions ?? []).filter(
          (entry) => entry.state !== 'END' && entry.state !== 'UNLOADING',
        );
        expect(plan.toRetire.map((r) => r.version).sort()).toEqual(
          live.map((e) => e.version).sort(),
        );
        expect(plan.toLoad.length + plan.toReload.length).toBe(0);
      }),
    );
  });
});
