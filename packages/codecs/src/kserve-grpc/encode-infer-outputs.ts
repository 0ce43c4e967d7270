import type { Tensor } from '@ovms/core';
import type { ModelInferResponse_InferOutputTensor } from '@ovms/proto';
import { encodeLengthPrefixedElements } from '../bytes-elements.js';

export interface EncodedInferOutputs {
  readonly outputs: ModelInferResponse_InferOutputTensor[];
  readonly rawOutputContents: Uint8Array[];
}

/**
 * Output Tensors as KServe v2 ModelInferResponse outputs, always in `raw_output_contents` (as
 * Triton answers): numeric data is the tensor's own bytes (no copy), BYTES elements are
 * length-prefixed. `contents` is left unset, as the spec requires when raw is used.
 */
export function encodeInferOutputs(outputs: ReadonlyMap<string, Tensor>): EncodedInferOutputs {
  const encoded: ModelInferResponse_InferOutputTensor[] = [];
  const raw: Uint8Array[] = [];
  for (const [name, tensor] of outputs) {
    encoded.push({
      name,
      datatype: tensor.dtype,
      shape: tensor.shape.map((size) => BigInt(size)),
      parameters: {},
      contents: undefined,
    });
    raw.push(tensor.dtype === 'BYTES' ? encodeLengthPrefixedElements(tensor.data) : tensor.data);
  }
  return { outputs: encoded, rawOutputContents: raw };
}
