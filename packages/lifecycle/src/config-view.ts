import type { VersionState, VersionStatus } from '@ovms/core';
import { tfErrorCodeName } from '@ovms/core';

/** One version in GetModelStatus JSON: int64 `version` prints as a string, enums by name. */
export interface VersionStatusJson {
  readonly version: string;
  readonly state: VersionState;
  readonly status: { readonly error_code: string; readonly error_message: string };
}

/** The body of OVMS `GET /v1/config` (and of `POST /v1/config/reload` on success). */
export type ConfigView = Record<string, { readonly model_version_status: VersionStatusJson[] }>;

export function versionStatusJson(status: VersionStatus): VersionStatusJson {
  return {
    version: String(status.version),
    state: status.state,
    status: { error_code: tfErrorCodeName(status.errorCode), error_message: status.errorMessage },
  };
}

/**
 * Builds the view from statuses by servable name. OVMS keeps models and pipelines in one
 * ordered map, so names come out sorted and versions ascending.
 */
export function buildConfigView(
  servables: Iterable<readonly [string, readonly VersionStatus[]]>,
): ConfigView {
  const view: ConfigView = {};
  const sorted = [...servables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, statuses] of sorted) {
    view[name] = {
      model_version_status: [...statuses]
        .sort((a, b) => a.version - b.version)
        .map(versionStatusJson),
    };
  }
  return view;
}
