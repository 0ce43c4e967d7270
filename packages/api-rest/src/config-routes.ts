import { ServingError, StatusCode, toServingError, type VersionStatus } from '@ovms/core';
import type { RestDeps } from './context.js';
import { errorJson, jsonResponse } from './errors.js';
import { STATUS_TO_HTTP } from './status-map.js';
import { configStatusJson } from './status-json.js';

/**
 * Every configured servable's statuses. One that cannot report is left out rather than failing
 * the whole view, as OVMS's `getAllModelsStatuses` skips it.
 */
function allStatuses(deps: RestDeps): Map<string, readonly VersionStatus[]> {
  const entries = new Map<string, readonly VersionStatus[]>();
  for (const name of deps.admin.servableNames()) {
    try {
      entries.set(name, deps.provider.status(name));
    } catch (error) {
      deps.logger.debug({ name, err: error }, 'servable left out of the config status');
    }
  }
  return entries;
}

/** `GET /v1/config`: the status of every model and pipeline (OVMS "Config Status API"). */
export function configStatus(deps: RestDeps): Response {
  return jsonResponse(configStatusJson(allStatuses(deps)));
}

/**
 * `POST /v1/config/reload` (OVMS "Config Reload API"): 201 with the config status when
 * anything was reloaded, 200 when nothing changed. A failed reload answers with the status of
 * its cause (a config that is not valid JSON: 412) and OVMS's message, followed by the cause;
 * the models in force keep serving.
 */
export async function configReload(deps: RestDeps): Promise<Response> {
  let changed: boolean;
  try {
    changed = await deps.admin.reloadConfig();
  } catch (thrown) {
    const error = toServingError(thrown);
    deps.logger.error({ code: error.code, err: error.cause ?? error }, 'config reload failed');
    return jsonResponse(
      errorJson(
        `Reloading config file failed. Check server logs for more info. - ${error.message}`,
      ),
      STATUS_TO_HTTP[error.code],
    );
  }
  return jsonResponse(configStatusJson(allStatuses(deps)), changed ? 201 : 200);
}

/**
 * `GET /metrics`: the Prometheus text when metrics are enabled. Disabled, the path does not
 * exist (OVMS: "Invalid request URL"; here REST_NOT_FOUND like any unknown path).
 */
export async function metrics(deps: RestDeps): Promise<Response> {
  if (deps.metricsText === undefined) {
    throw new ServingError(StatusCode.REST_NOT_FOUND, 'metrics are not enabled');
  }
  const { contentType, body } = await deps.metricsText();
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}
