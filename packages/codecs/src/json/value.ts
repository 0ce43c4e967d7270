import { scanNumber, startsNumber, tokenToNumber } from './number-token.js';
import { JsonReader, type JsonReaderOptions } from './reader.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Reads any JSON value as plain JS values (NaN / Infinity tokens as numbers), strings of any
 * length included: for documents whose values are all wanted. Request decoders walk their
 * structure and skip what they do not use instead.
 */
export function readJsonValue(reader: JsonReader): JsonValue {
  const c = reader.peek();
  switch (c) {
    case 0x22:
      return reader.readString(Infinity);
    case 0x7b: {
      reader.beginObject();
      // Entries, not assignment, so a "__proto__" key stays an ordinary own property.
      const entries: [string, JsonValue][] = [];
      for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
        entries.push([key, readJsonValue(reader)]);
      }
      return Object.fromEntries<JsonValue>(entries);
    }
    case 0x5b: {
      reader.beginArray();
      const items: JsonValue[] = [];
      for (let first = true; reader.nextElement(first); first = false) {
        items.push(readJsonValue(reader));
      }
      return items;
    }
    case 0x74:
      reader.readWord('true');
      return true;
    case 0x66:
      reader.readWord('false');
      return false;
    case 0x6e:
      reader.readWord('null');
      return null;
    default:
      if (!startsNumber(c)) reader.unexpected('a JSON value');
      scanNumber(reader);
      return tokenToNumber(reader);
  }
}

/**
 * Consumes one JSON value, checking it as `readJsonValue` would, without building it: strings
 * are scanned in place and numbers through the bounded token scanner, so skipping allocates
 * nothing whatever the value's size.
 */
export function skipJsonValue(reader: JsonReader): void {
  const c = reader.peek();
  switch (c) {
    case 0x22:
      reader.skipString();
      return;
    case 0x7b:
      reader.beginObject();
      for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
        skipJsonValue(reader);
      }
      return;
    case 0x5b:
      reader.beginArray();
      for (let first = true; reader.nextElement(first); first = false) skipJsonValue(reader);
      return;
    case 0x74:
      reader.readWord('true');
      return;
    case 0x66:
      reader.readWord('false');
      return;
    case 0x6e:
      reader.readWord('null');
      return;
    default:
      if (!startsNumber(c)) reader.unexpected('a JSON value');
      scanNumber(reader);
  }
}

/**
 * Parses a whole JSON document, accepting NaN / Infinity / -Infinity as TF Serving REST does.
 * Malformed input fails with REST_BODY_NOT_JSON naming the byte offset.
 */
export function parseJson(source: string | Uint8Array, options?: JsonReaderOptions): JsonValue {
  const reader = new JsonReader(source, options);
  const value = readJsonValue(reader);
  reader.finish();
  return value;
}
