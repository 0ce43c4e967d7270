import { toServingError, type Logger, type ServingError } from '@ovms/core';
import { STATUS_TO_HTTP } from './status-map.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** `{"error": "<message>"}`, spaced as OVMS's http_server.cpp writes it. */
export function errorJson(message: string): string {
  return `{"error": ${JSON.stringify(message)}}`;
}

/** A JSON response with OVMS's content type. */
export function jsonResponse(body: string | Uint8Array, status = 200): Response {
  return new Response(body, { status, headers: JSON_HEADERS });
}

/** The REST answer to a ServingError: its HTTP status and `{"error": message}`. */
export function errorResponse(error: ServingError): Response {
  return jsonResponse(errorJson(error.message), STATUS_TO_HTTP[error.code]);
}

/**
 * Normalises anything thrown while serving a request, logs it (server faults as errors with
 * their cause, client mistakes at debug level) and answers it.
 */
export function failureResponse(thrown: unknown, logger: Logger, where: string): Response {
  const error = toServingError(thrown);
  const status = STATUS_TO_HTTP[error.code];
  if (status >= 500) {
    logger.error({ where, code: error.code, err: error.cause ?? error }, error.message);
  } else {
    logger.debug({ where, code: error.code }, error.message);
  }
  return errorResponse(error);
}
