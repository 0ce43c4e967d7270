import { ServingError, StatusCode } from '@ovms/core';
import type { VersionStatus } from '@ovms/core';

/**
 * The version a KServe ModelReady / ModelMetadata request is about, from the model's statuses:
 * the version named (exactly; "0" names no version), or the default one, the highest AVAILABLE
 * (OVMS `Model::updateDefaultVersion`). Neither present is MODEL_VERSION_MISSING, as OVMS answers.
 */
export function chooseVersionStatus(
  statuses: readonly VersionStatus[],
  version: number | undefined,
): VersionStatus {
  let chosen: VersionStatus | undefined;
  for (const status of statuses) {
    if (version !== undefined) {
      if (status.version === version) chosen = status;
    } else if (
      status.state === 'AVAILABLE' &&
      (chosen === undefined || status.version > chosen.version)
    ) {
      chosen = status;
    }
  }
  if (chosen === undefined) throw new ServingError(StatusCode.MODEL_VERSION_MISSING);
  return chosen;
}
