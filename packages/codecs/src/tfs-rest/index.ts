export { decodeTfsPredictRequest } from './decode-request.js';
export type { TfsPredictRequest, TfsRequestFormat } from './decode-request.js';
export { encodeTfsPredictResponse } from './encode-response.js';
