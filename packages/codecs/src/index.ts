export {
  decodeTensorProto,
  encodeTensorProto,
  tensorShapeProto,
  tfDataTypeOf,
} from './tfs-proto/index.js';
export { decodeInferInputs, encodeInferOutputs } from './kserve-grpc/index.js';
export type { EncodedInferOutputs } from './kserve-grpc/index.js';
export { decodeTfsPredictRequest, encodeTfsPredictResponse } from './tfs-rest/index.js';
export type { TfsPredictRequest, TfsRequestFormat } from './tfs-rest/index.js';
export { decodeKServeInferRequest, encodeKServeInferResponse } from './kserve-rest/index.js';
export type {
  KServeDecodeOptions,
  KServeEncodedResponse,
  KServeInferRequest,
  KServeInferResponseOptions,
  KServeParameterValue,
  KServeParameters,
  KServeRequestedOutput,
} from './kserve-rest/index.js';
export { DEFAULT_MAX_JSON_BYTES, float32JsonPath, parseJson } from './json/index.js';
export type { JsonObject, JsonReaderOptions, JsonValue } from './json/index.js';
