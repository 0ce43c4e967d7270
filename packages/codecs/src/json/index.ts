export {
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_JSON_DEPTH,
  JsonReader,
  MAX_JSON_NAME_BYTES,
} from './reader.js';
export type { JsonReaderOptions } from './reader.js';
export { parseJson, readJsonValue, skipJsonValue } from './value.js';
export { MAX_NUMBER_CHARS, scanNumber, startsNumber, tokenToNumber } from './number-token.js';
export type { JsonObject, JsonValue } from './value.js';
export { NdArrayReader } from './ndarray.js';
export { createTensorElements } from './tensor-elements.js';
export type { TensorElements, TensorElementsOptions } from './tensor-elements.js';
export {
  formatBfloat16,
  formatFloat32,
  formatHalf,
  formatJsonNumber,
  formattedElements,
  numericElements,
  writeFlatArray,
  writeNestedArray,
} from './writer.js';
export type { ElementWriter } from './writer.js';
export { ESTIMATED_BYTES_PER_ELEMENT, JsonByteWriter } from './byte-writer.js';
export { float32JsonPath } from './float32-wasm.js';
export {
  bfloat16BitsToNumber,
  halfBitsToNumber,
  numberToBfloat16Bits,
  numberToHalfBits,
} from './small-float.js';
