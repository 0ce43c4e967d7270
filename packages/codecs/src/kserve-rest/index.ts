export { decodeKServeInferRequest } from './decode-request.js';
export type { KServeDecodeOptions, KServeInferRequest } from './decode-request.js';
export type { KServeRequestedOutput } from './requested-outputs.js';
export { encodeKServeInferResponse } from './encode-response.js';
export type { KServeEncodedResponse, KServeInferResponseOptions } from './encode-response.js';
export type { KServeParameterValue, KServeParameters } from './parameters.js';
