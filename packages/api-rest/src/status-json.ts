import { TF_ERROR_CODE_NAMES, type VersionStatus } from '@ovms/core';

/** The enum name proto3 JSON prints for a tensorflow.error.Code; unknown numbers print as-is. */
function errorCodeName(code: number): string | number {
  return TF_ERROR_CODE_NAMES[code] ?? code;
}

/** GetModelStatusResponse as a plain object, snake_case and int64 as strings (proto3 JSON). */
function statusObject(statuses: readonly VersionStatus[]): object {
  return {
    model_version_status: statuses.map((status) => ({
      version: String(status.version),
      state: status.state,
      status: {
        error_code: errorCodeName(status.errorCode),
        error_message: status.errorMessage,
      },
    })),
  };
}

/**
 * `GET /v1/models/{m}`: GetModelStatusResponse printed the way OVMS prints it (protobuf
 * MessageToJsonString with whitespace, field names kept, defaults printed): one-space indent
 * and a trailing newline.
 */
export function modelStatusJson(statuses: readonly VersionStatus[]): string {
  return `${JSON.stringify(statusObject(statuses), null, 1)}\n`;
}

/**
 * `GET /v1/config` and `POST /v1/config/reload`: every servable's status by name, sorted by
 * name as OVMS's std::map sorts them, in OVMS's own framing
 * (`GetModelStatusImpl::serializeModelsStatuses2Json`); `{}` when nothing is served.
 */
export function configStatusJson(entries: ReadonlyMap<string, readonly VersionStatus[]>): string {
  if (entries.size === 0) return '{}';
  const names = [...entries.keys()].sort();
  const parts = names.map(
    (name) =>
      `${JSON.stringify(name)} : \n${JSON.stringify(statusObject(entries.get(name) ?? []), null, 1)}`,
  );
  return `{\n${parts.join(',\n')}\n}`;
}
