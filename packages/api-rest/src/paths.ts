import { ServingError, StatusCode } from '@ovms/core';

/**
 * URL shapes OVMS matches with regexes (http_rest_api_handler.cpp). TF Serving's predict suffix
 * (`:predict`) belongs to the last segment, so a path router cannot split these: model names
 * may hold '-', '.' and other characters, never '/' or ':'. Labels are `\w+` as in OVMS.
 */
const TFS_PREDICT =
  /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+)|\/labels\/(\w+))?:(classify|regress|predict)$/;
const TFS_STATUS =
  /^\/v1\/models(?:\/([^/:]+))?(?:\/versions\/(\d+)|\/labels\/(\w+))?(\/metadata)?$/;
const KSERVE_MODEL = /^\/v2\/models\/([^/]+)(?:\/versions\/(\d+))?(?:\/(ready|infer)|\/)?$/;
const MODEL_STATISTICS = /^\/v2\/models\/([^/]+)(?:\/versions\/(\d+))?\/stats$/;
const REPOSITORY_MODEL = /^\/v2\/repository\/models\/([^/]+)\/(load|unload)$/;

export type TfsAction = 'status' | 'metadata' | 'predict' | 'classify' | 'regress';
export type KServeAction = 'metadata' | 'ready' | 'infer';

export interface ModelPath<A> {
  readonly action: A;
  readonly name: string;
  /** Undefined means the default version (OVMS treats version 0 the same way). */
  readonly version: number | undefined;
}

/**
 * A version as OVMS parses it: digits only (the regex), 0 = default, and a number too large to
 * be a version is MODEL_VERSION_MISSING, as `std::stoll`'s out_of_range is in OVMS.
 */
function parseVersion(digits: string | undefined): number | undefined {
  if (digits === undefined) return undefined;
  const version = Number(digits);
  if (!Number.isSafeInteger(version)) {
    throw new ServingError(StatusCode.MODEL_VERSION_MISSING, `version ${digits} is out of range`);
  }
  return version === 0 ? undefined : version;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ServingError(StatusCode.REST_MALFORMED_URL, `model name '${raw}' is not URL-encoded`);
  }
}

/**
 * The TF Serving model resource a `/v1/models…` path names, or undefined when it names none.
 * A label (`/labels/{l}`) selects the default version: OVMS parses labels and ignores them
 * ("model_version_label currently is not in use").
 */
export function matchTfsPath(path: string): ModelPath<TfsAction> | undefined {
  const predict = TFS_PREDICT.exec(path);
  if (predict !== null) {
    return {
      action: predict[4] as TfsAction,
      name: decodeName(predict[1] ?? ''),
      version: parseVersion(predict[2]),
    };
  }
  const status = TFS_STATUS.exec(path);
  if (status === null) return undefined;
  return {
    action: status[4] === undefined ? 'status' : 'metadata',
    // `GET /v1/models` names no model: OVMS looks up the empty name and reports it missing.
    name: decodeName(status[1] ?? ''),
    version: parseVersion(status[2]),
  };
}

/** The KServe v2 model resource a `/v2/models/…` path names, or undefined. */
export function matchKServePath(path: string): ModelPath<KServeAction> | undefined {
  const match = KSERVE_MODEL.exec(path);
  if (match === null) return undefined;
  return {
    action: (match[3] ?? 'metadata') as KServeAction,
    name: decodeName(match[1] ?? ''),
    version: parseVersion(match[2]),
  };
}

/**
 * The model (and version) of Triton's `/v2/models/{m}[/versions/{v}]/stats`, or undefined.
 * `/v2/models/stats` (every model) is routed before this, as Triton does.
 */
export function matchStatisticsPath(path: string): ModelPath<'stats'> | undefined {
  const match = MODEL_STATISTICS.exec(path);
  if (match === null) return undefined;
  return { action: 'stats', name: decodeName(match[1] ?? ''), version: parseVersion(match[2]) };
}

/** The model and action of Triton's `/v2/repository/models/{m}/load|unload`, or undefined. */
export function matchRepositoryPath(
  path: string,
): { readonly action: 'load' | 'unload'; readonly name: string } | undefined {
  const match = REPOSITORY_MODEL.exec(path);
  if (match === null) return undefined;
  return { action: match[2] as 'load' | 'unload', name: decodeName(match[1] ?? '') };
}

/** The HTTP method each action answers; any other is REST_UNSUPPORTED_METHOD. */
export const TFS_METHODS: Readonly<Record<TfsAction, string>> = {
  status: 'GET',
  metadata: 'GET',
  predict: 'POST',
  classify: 'POST',
  regress: 'POST',
};

export const KSERVE_METHODS: Readonly<Record<KServeAction, string>> = {
  metadata: 'GET',
  ready: 'GET',
  infer: 'POST',
};
