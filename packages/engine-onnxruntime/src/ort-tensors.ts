import {
  DATA_TYPES,
  ServingError,
  StatusCode,
  bytesOf,
  dataTypeFromOnnx,
  typedView,
  type Tensor,
  type TensorMap,
  type TensorSpec,
} from '@ovms/core';
import type { WireTensor } from './worker-protocol.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export interface WireInputs {
  readonly tensors: WireTensor[];
  /** The input copies, handed to the worker rather than cloned. */
  readonly transfer: ArrayBuffer[];
}

/**
 * Inputs for an ORT worker. Each numeric input is copied once into a fresh ArrayBuffer that
 * is then transferred: that copy is the price of not blocking the event loop, since a
 * request's bytes are usually a slice of a larger (pooled) buffer that cannot be detached.
 * The copy is a typed array of ORT's class for the type (core `TYPED_ARRAY_OF` matches ORT's).
 * BYTES become strings, ORT's only form for string tensors. Inputs are already validated;
 * `feedNames` maps a client's input name to the graph input that takes it, where they differ.
 * `copy` false (an inline run, which reads the inputs where they are) views the request's own
 * bytes instead, copying only a misaligned one, and transfers nothing.
 */
export function toWire(
  inputs: TensorMap,
  feedNames?: ReadonlyMap<string, string>,
  copy = true,
): WireInputs {
  const tensors: WireTensor[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const [inputName, tensor] of inputs) {
    // A layout's Transpose renamed the graph input clients know by `inputName`.
    const name = feedNames?.get(inputName) ?? inputName;
    const dims = tensor.shape;
    if (tensor.dtype === 'BYTES') {
      const strings = tensor.data.map((bytes) => decoder.decode(bytes));
      tensors.push({ name, type: 'string', dims, data: strings });
      continue;
    }
    const type = DATA_TYPES[tensor.dtype].onnx;
    if (type === null) {
      throw new ServingError(
        StatusCode.INVALID_PRECISION,
        `${tensor.dtype} is not supported by onnxruntime engine; input name: ${inputName}`,
      );
    }
    if (!copy) {
      tensors.push({ name, type, dims, data: typedView(tensor.dtype, tensor.data) });
      continue;
    }
    const own = new Uint8Array(tensor.data.byteLength);
    own.set(tensor.data);
    tensors.push({ name, type, dims, data: typedView(tensor.dtype, own) });
    transfer.push(own.buffer);
  }
  return { tensors, transfer };
}

/** Core tensors viewing the buffers the worker handed over (no copy), in the model's order. */
export function fromWire(
  results: readonly WireTensor[],
  outputs: readonly TensorSpec[],
): TensorMap {
  const map: TensorMap = new Map();
  for (const spec of outputs) {
    const value = results.find((result) => result.name === spec.name);
    if (value === undefined) {
      throw new ServingError(
        StatusCode.INTERNAL_INFERENCE_ERROR,
        `onnxruntime returned no tensor for output ${spec.name}`,
      );
    }
    map.set(spec.name, fromWireTensor(value));
  }
  return map;
}

function fromWireTensor({ name, type, dims, data }: WireTensor): Tensor {
  const shape = dims.slice();
  if (!ArrayBuffer.isView(data)) {
    return { dtype: 'BYTES', shape, data: data.map((text) => encoder.encode(text)) };
  }
  const dtype = dataTypeFromOnnx(type);
  if (dtype === undefined || dtype === 'BYTES') {
    throw new ServingError(
      StatusCode.INTERNAL_INFERENCE_ERROR,
      `output ${name} has element type ${type}, which ovms-ts does not serve`,
    );
  }
  return { dtype, shape, data: bytesOf(data) };
}
