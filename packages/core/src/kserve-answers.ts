import { ServingError, StatusCode } from './status.js';
import type { VersionStatus } from './servable.js';

/**
 * The version a KServe ModelReady or ModelMetadata request is about, from the model's statuses:
 * the version named, or with none (version "" or "0", turned into undefined at the wire edge) the
 * default one, the highest AVAILABLE (OVMS `Model::updateDefaultVersion`). Neither present is
 * MODEL_VERSION_MISSING, as OVMS answers. Both transports answer readiness and metadata by it.
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

/**
 * The `versions` of a KServe ModelMetadata answer: the AVAILABLE ones plus the one described
 * even if it changed state meanwhile, ascending, as strings (OVMS `addReadyVersions`).
 */
export function metadataVersions(statuses: readonly VersionStatus[], served: number): string[] {
  const versions = statuses
    .filter((status) => status.state === 'AVAILABLE' || status.version === served)
    .map((status) => status.version);
  if (!versions.includes(served)) versions.push(served);
  return versions.sort((a, b) => a - b).map(String);
}

/**
 * The KServe protocol extensions this server supports, as ServerMetadata (gRPC) and `GET /v2`
 * (REST) list them; strict KServe clients require the field. Named as Triton names them.
 */
export const KSERVE_EXTENSIONS: readonly string[] = ['binary_tensor_data'];

/** The platform OVMS reports for every servable in KServe model metadata. */
export const KSERVE_PLATFORM = 'OpenVINO';
