export { decodeKServeInferRequest } from './decode-request.js';
export type {
  KServeDecodeOptions,
  KServeInferRequest,
  KServeRequestedOutput,
} from './decode-request.js';
export { encodeKServeInferResponse } from './encode-response.js';
export type { KServeEncodedResponse, KServeInferResponseOptions } from './encode-response.js';
export type { KServeParameterValue, KServeParameters } from './parameters.js';
