import type { Logger } from '@ovms/core';
import type { ModelRecord } from './model-registry.js';
import type { DesiredModel } from './reconcile.js';
import type { ModelRepository } from './types.js';

/**
 * Lists a configured model's version directories and fingerprints each. A listing failure
 * (missing directory, unreachable bucket) yields `repository: undefined`, which keeps what is
 * serving now, and is kept on the record for `configStatus()`.
 */
export async function scanModel(
  record: ModelRecord,
  repository: ModelRepository,
  logger: Logger,
): Promise<DesiredModel> {
  const definition = record.definition;
  if (definition === undefined) throw new Error(`Model ${record.name} is not configured`);
  const base = { name: record.name, policy: definition.versionPolicy, loadKey: record.loadKey };
  let versions: number[];
  try {
    versions = await repository.listVersions(definition.basePath);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (record.repositoryError !== reason) {
      logger.error(
        { model: record.name, basePath: definition.basePath, error: reason },
        'Listing model versions failed; the loaded versions keep serving',
      );
    }
    record.repositoryError = reason;
    return { ...base, repository: undefined };
  }
  record.repositoryError = undefined;
  const fingerprints = new Map<number, string>();
  await Promise.all(
    versions
      .filter((version) => Number.isSafeInteger(version) && version > 0)
      .map(async (version) => {
        try {
          fingerprints.set(version, await repository.fingerprint(definition.basePath, version));
        } catch {
          // Removed between listing and fingerprinting: the next poll sees it gone.
        }
      }),
  );
  return { ...base, repository: fingerprints };
}
