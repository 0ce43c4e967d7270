import { ServingError, StatusCode } from '@ovms/core';
import { scanNumber, startsNumber, tokenToNumber, type JsonReader } from '../json/index.js';
import { invalid } from './request-fields.js';

export type KServeParameterValue = string | number | boolean;
export type KServeParameters = Record<string, KServeParameterValue>;

/**
 * Longest string parameter value, in raw bytes. Parameters carry small settings (sequence ids,
 * priorities, the extensions' flags), never payloads, so a body-sized string is refused early.
 */
export const MAX_PARAMETER_STRING_BYTES = 64 * 1024;

/**
 * Reads `$parameters` (inference_rest.md): an object of string, number or boolean values,
 * each checked as it begins, so a value of another kind is refused before it is read.
 */
export function readParameters(reader: JsonReader, where: string): KServeParameters {
  if (reader.peek() !== 0x7b) invalid(`${where} must be an object`);
  // Entries, not assignment, so a "__proto__" key stays an ordinary own property.
  const entries: [string, KServeParameterValue][] = [];
  reader.beginObject();
  for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
    const c = reader.peek();
    if (c === 0x22) {
      entries.push([key, reader.readString(MAX_PARAMETER_STRING_BYTES, `${where}.${key}`)]);
    } else if (c === 0x74 || c === 0x66) {
      reader.readWord(c === 0x74 ? 'true' : 'false');
      entries.push([key, c === 0x74]);
    } else if (startsNumber(c)) {
      scanNumber(reader);
      entries.push([key, tokenToNumber(reader)]);
    } else {
      invalid(`${where}.${key} must be a string, number or boolean`);
    }
  }
  return Object.fromEntries(entries);
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
