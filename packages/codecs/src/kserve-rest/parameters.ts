import { ServingError, StatusCode } from '@ovms/core';
import type { JsonValue } from '../json/index.js';

export type KServeParameterValue = string | number | boolean;
export type KServeParameters = Record<string, KServeParameterValue>;

function invalid(detail: string): never {
  throw new ServingError(StatusCode.REST_INFER_REQUEST_INVALID, detail);
}

/** `$parameters` (inference_rest.md): an object of string, number or boolean values. */
export function toParameters(value: JsonValue, where: string): KServeParameters {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid(`${where} must be an object`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      invalid(`${where}.${key} must be a string, number or boolean`);
    }
  }
  return value as KServeParameters;
}

/** A boolean parameter of the extensions (`binary_data`, `binary_data_output`). */
export function booleanParameter(
  parameters: KServeParameters | undefined,
  key: string,
  where: string,
): boolean | undefined {
  const value = parameters?.[key];
  if (value === undefined || typeof value === 'boolean') return value;
  return invalid(`${where}.${key} must be a boolean`);
}

/** `binary_data_size`: the byte length of one input's binary data. */
export function binaryDataSize(parameters: KServeParameters | undefined, inputName: string) {
  if (parameters === undefined || !Object.hasOwn(parameters, 'binary_data_size')) {
    return undefined;
  }
  const value = parameters['binary_data_size'];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ServingError(
      StatusCode.REST_BINARY_DATA_SIZE_PARAMETER_INVALID,
      `input ${inputName}: expected a non-negative integer; actual ${JSON.stringify(value)}`,
    );
  }
  return value;
}
