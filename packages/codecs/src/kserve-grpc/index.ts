export { decodeInferInputs } from './decode-infer-inputs.js';
export { encodeInferOutputs } from './encode-infer-outputs.js';
export type { EncodedInferOutputs } from './encode-infer-outputs.js';
