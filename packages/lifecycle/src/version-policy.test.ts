import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VERSION_POLICY, describePolicy, filterVersions } from './version-policy.js';
import type { VersionPolicy } from './version-policy.js';

const policies: fc.Arbitrary<VersionPolicy> = fc.oneof(
  fc.constant<VersionPolicy>({ kind: 'all' }),
  fc
    .integer({ min: 0, max: 5 })
    .map((numVersions): VersionPolicy => ({ kind: 'latest', numVersions })),
  fc
    .array(fc.integer({ min: 1, max: 12 }), { maxLength: 5 })
    .map((versions): VersionPolicy => ({ kind: 'specific', versions })),
);
const listings = fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 10 });

describe('filterVersions', () => {
  it('defaults to the latest version, as OVMS', () => {
    expect(DEFAULT_VERSION_POLICY).toEqual({ kind: 'latest', numVersions: 1 });
    expect(filterVersions(DEFAULT_VERSION_POLICY, [1, 3, 2])).toEqual([3]);
  });

  it('selects all, the latest n, or the specific versions that exist', () => {
    expect(filterVersions({ kind: 'all' }, [3, 1, 2, 2])).toEqual([1, 2, 3]);
    expect(filterVersions({ kind: 'latest', numVersions: 2 }, [1, 5, 3])).toEqual([3, 5]);
    expect(filterVersions({ kind: 'latest', numVersions: 9 }, [4, 2])).toEqual([2, 4]);
    expect(filterVersions({ kind: 'specific', versions: [1, 4, 7] }, [1, 2, 3, 4])).toEqual([1, 4]);
    expect(filterVersions({ kind: 'latest', numVersions: 1 }, [])).toEqual([]);
  });

  it('returns a sorted, duplicate-free subset of what is available', () => {
    fc.assert(
      fc.property(policies, listings, (policy, available) => {
        const selected = filterVersions(policy, available);
        expect(selected.every((version) => available.includes(version))).toBe(true);
        expect(selected).toEqual([...new Set(selected)].sort((a, b) => a - b));
      }),
    );
  });

  it('latest n keeps the n highest versions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), listings, (numVersions, available) => {
        const selected = filterVersions({ kind: 'latest', numVersions }, available);
        const unique = new Set(available);
        expect(selected.length).toBe(Math.min(numVersions, unique.size));
        const lowestKept = selected[0] ?? Infinity;
        expect([...unique].filter((version) => version >= lowestKept).length).toBe(selected.length);
      }),
    );
  });

  it('describes policies for logs', () => {
    expect(describePolicy({ kind: 'all' })).toBe('all');
    expect(describePolicy({ kind: 'latest', numVersions: 2 })).toBe('latest 2');
    expect(describePolicy({ kind: 'specific', versions: [1, 3] })).toBe('specific [1,3]');
  });
});
