import type { StorageBackend } from '@ovms/core';
import { joinUri } from './model-uri.js';

/** A version directory of a model repository: `<base_path>/<name>` serving `version`. */
export interface VersionDir {
  readonly version: number;
  /** The directory name as found ("3", or "03" — see parseVersionDirName). */
  readonly name: string;
  readonly uri: string;
}

/**
 * The version a directory name denotes, or undefined when the directory is not a version.
 * OVMS parses names with std::stoll and keeps values > 0; we keep the digits-only subset of
 * that: "1", "42" and zero-padded "007" (= 7, as stoll reads it) are versions; "0", "-1",
 * "1abc" (stoll would read 1 — too surprising to copy), " 1", ".1", "v1" and names past
 * 2^53 - 1 are not.
 */
export function parseVersionDirName(name: string): number | undefined {
  if (!/^\d+$/.test(name)) return undefined;
  const version = Number(name);
  return version > 0 && Number.isSafeInteger(version) ? version : undefined;
}

/**
 * Lists the version directories directly under `baseUri`, ascending. Works with any backend:
 * numeric names are confirmed to be directories (`exists("<uri>/<name>/")`), so a file named
 * "1" is ignored. When two names denote one version ("1" and "01"), the canonical one wins.
 * Errors of the backend (missing base path…) propagate with their message.
 */
export async function listVersions(
  backend: StorageBackend,
  baseUri: string,
  signal?: AbortSignal,
): Promise<VersionDir[]> {
  const names = await backend.list(baseUri, signal);
  const byVersion = new Map<number, VersionDir>();
  for (const name of names) {
    const version = parseVersionDirName(name);
    if (version === undefined) continue;
    const uri = joinUri(baseUri, name);
    if (!(await backend.exists(`${uri}/`, signal))) continue;
    const seen = byVersion.get(version);
    if (seen === undefined || (seen.name !== String(version) && name === String(version)))
      byVersion.set(version, { version, name, uri });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}
