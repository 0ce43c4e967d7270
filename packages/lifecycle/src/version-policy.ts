/**
 * OVMS `model_version_policy`: which of the versions found in the repository are served.
 * The default, as in OVMS, is the latest one.
 */
export type VersionPolicy =
  | { readonly kind: 'latest'; readonly numVersions: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'specific'; readonly versions: readonly number[] };

export const DEFAULT_VERSION_POLICY: VersionPolicy = { kind: 'latest', numVersions: 1 };

/** The versions `policy` selects out of `available`, ascending and without duplicates. */
export function filterVersions(policy: VersionPolicy, available: readonly number[]): number[] {
  const sorted = [...new Set(available)].sort((a, b) => a - b);
  switch (policy.kind) {
    case 'all':
      return sorted;
    case 'latest':
      return policy.numVersions > 0 ? sorted.slice(-policy.numVersions) : [];
    case 'specific': {
      const wanted = new Set(policy.versions);
      return sorted.filter((version) => wanted.has(version));
    }
  }
}

/** Human wording for logs: `latest 2`, `all`, `specific [1,3]`. */
export function describePolicy(policy: VersionPolicy): string {
  switch (policy.kind) {
    case 'all':
      return 'all';
    case 'latest':
      return `latest ${policy.numVersions}`;
    case 'specific':
      return `specific [${policy.versions.join(',')}]`;
  }
}
