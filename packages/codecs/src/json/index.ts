export { DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_JSON_DEPTH, JsonReader } from './reader.js';
export type { JsonReaderOptions } from './reader.js';
export { parseJson, readJsonValue } from './value.js';
export type { JsonObject, JsonValue } from './value.js';
export { NdArrayReader } from './ndarray.js';
export { createTensorElements, decodeBase64 } from './tensor-elements.js';
export type { TensorElements, TensorElementsOptions } from './tensor-elements.js';
export {
  flatJsonArray,
  formatBfloat16,
  formatFloat32,
  formatHalf,
  formatJsonNumber,
  nestedJsonArray,
  numericFormatter,
} from './writer.js';
export type { ElementFormatter } from './writer.js';
export {
  bfloat16BitsToNumber,
  halfBitsToNumber,
  numberToBfloat16Bits,
  numberToHalfBits,
} from './small-float.js';
