import { STATUS_TO_HTTP } from '@ovms/api-rest';
import { ServingError, StatusCode, toServingError } from '@ovms/core';

/**
 * A failure in OpenAI's error shape (`{"error": {message, type, param, code}}`): request
 * checks raise it with the parameter at fault; ServingErrors map through the REST status table.
 */
export class OpenAiError extends Error {
  override readonly name = 'OpenAiError';
  readonly status: number;
  readonly param: string | null;

  constructor(status: number, message: string, param: string | null = null) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

/** A request parameter the API refuses: 400 `invalid_request_error` naming it. */
export function invalidParam(param: string, message: string): OpenAiError {
  return new OpenAiError(400, message, param);
}

function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'invalid_request_error';
  if (status === 429 || status === 503) return 'service_unavailable_error';
  return status >= 500 ? 'internal_error' : 'invalid_request_error';
}

/** The status and OpenAI error body of anything thrown by a `/v3` route. */
export function openAiFailure(error: unknown): { status: number; body: object } {
  if (error instanceof OpenAiError)
    return { status: error.status, body: bodyOf(error.status, error.message, error.param) };
  const serving = toServingError(error);
  const status = STATUS_TO_HTTP[serving.code];
  return { status, body: bodyOf(status, serving.message, null) };
}

function bodyOf(status: number, message: string, param: string | null): object {
  return { error: { message, type: typeOf(status), param, code: null } };
}

export function openAiErrorResponse(error: unknown): Response {
  const { status, body } = openAiFailure(error);
  return Response.json(body, { status });
}

/** A servable that is not a text-generation model, named as OpenAI clients expect. */
export function notTextGeneration(model: string): ServingError {
  return new ServingError(
    StatusCode.INVALID_ARGUMENT,
    `model ${model} is not a text generation model ("task": "text_generation")`,
  );
}
