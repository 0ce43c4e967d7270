import { ServingError, StatusCode } from '@ovms/core';
import { MAX_JSON_NAME_BYTES, type JsonReader } from '../json/index.js';

/** Refuses a request whose JSON is not the shape inference_rest.md defines. */
export function invalid(detail: string): never {
  throw new ServingError(StatusCode.REST_INFER_REQUEST_INVALID, detail);
}

/** Reads the string a name-like field must be, refusing any other value at its first byte. */
export function readNameField(reader: JsonReader, where: string): string {
  if (reader.peek() !== 0x22) invalid(`${where} must be a string`);
  return reader.readString(MAX_JSON_NAME_BYTES, where);
}
