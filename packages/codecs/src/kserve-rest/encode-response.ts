import { ServingError, StatusCode, elementCount, isBytesTensor, type Tensor } from '@ovms/core';
import { lengthPrefixedSize, writeLengthPrefixedElements } from '../bytes-elements.js';
import {
  ESTIMATED_BYTES_PER_ELEMENT,
  JsonByteWriter,
  formattedElements,
  numericElements,
  writeFlatArray,
  type ElementWriter,
} from '../json/index.js';
import type { KServeRequestedOutput } from './requested-outputs.js';
import type { KServeParameters } from './parameters.js';

export interface KServeInferResponseOptions {
  readonly modelName: string;
  readonly modelVersion?: string;
  /** The request's `id`, echoed back (inference_rest.md). */
  readonly id?: string;
  readonly parameters?: KServeParameters;
  readonly outputs: ReadonlyMap<string, Tensor>;
  /** The request's `outputs`: which outputs, in which order, binary or not. */
  readonly requested?: readonly KServeRequestedOutput[];
  /** The request's `binary_data_output`: the default for outputs that do not say. */
  readonly binaryDataOutput?: boolean;
}

export interface KServeEncodedResponse {
  readonly body: Uint8Array;
  /** Set when binary outputs follow the JSON: the `Inference-Header-Content-Length` value. */
  readonly inferenceHeaderContentLength?: number;
  readonly contentType: string;
}

// JSON strings cannot carry arbitrary bytes; non-UTF-8 BYTES elements are best sent binary.
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function elementsOf(tensor: Tensor): ElementWriter {
  if (!isBytesTensor(tensor)) return numericElements(tensor);
  const data = tensor.data;
  return formattedElements((i) => JSON.stringify(lenientUtf8.decode(data[i])), true);
}

function binarySize(tensor: Tensor): number {
  return isBytesTensor(tensor) ? lengthPrefixedSize(tensor.data) : tensor.data.byteLength;
}

interface Selected {
  readonly name: string;
  readonly tensor: Tensor;
  readonly binary: boolean;
}

function select(options: KServeInferResponseOptions): Selected[] {
  const fallback = options.binaryDataOutput ?? false;
  const requested = options.requested ?? [];
  if (requested.length === 0) {
    return [...options.outputs].map(([name, tensor]) => ({ name, tensor, binary: fallback }));
  }
  return requested.map(({ name, binaryData }) => {
    const tensor = options.outputs.get(name);
    if (tensor === undefined) {
      throw new ServingError(StatusCode.INVALID_MISSING_OUTPUT, `output ${name}`);
    }
    return { name, tensor, binary: binaryData ?? fallback };
  });
}

/**
 * Encodes a KServe v2 REST infer response (inference_rest.md) with the binary data extension
 * (extension_binary_data.md): JSON outputs carry flat row-major `data`; binary outputs carry
 * `parameters.binary_data_size` and their bytes follow the JSON in output order, each numeric
 * output copied exactly once into the body. Outputs come in the order requested, or all in
 * map order. FP16/BF16 outputs in JSON are written as numbers (Triton refuses them; numbers
 * lose nothing), NaN/±Infinity as the tokens Python's json module reads.
 */
export function encodeKServeInferResponse(
  options: KServeInferResponseOptions,
): KServeEncodedResponse {
  const selected = select(options);
  // A first guess at the size for JSON outputs; binary outputs exactly.
  let estimate = 256;
  for (const { tensor, binary } of selected) {
    estimate += binary
      ? binarySize(tensor)
      : Math.min(elementCount(tensor.shape) * ESTIMATED_BYTES_PER_ELEMENT, 2 ** 28);
  }
  // Text bodies go through the kept buffer; a binary body's bulk is copied in exactly once.
  const out = new JsonByteWriter(estimate, { reuse: !selected.some((output) => output.binary) });
  out.ascii('{"model_name":');
  out.string(options.modelName);
  if (options.modelVersion !== undefined) {
    out.ascii(',"model_version":');
    out.string(options.modelVersion);
  }
  if (options.id !== undefined) {
    out.ascii(',"id":');
    out.string(options.id);
  }
  if (options.parameters !== undefined) {
    out.ascii(',"parameters":');
    out.text(JSON.stringify(options.parameters));
  }
  out.ascii(',"outputs":[');
  let binaryBytes = 0;
  selected.forEach(({ name, tensor, binary }, index) => {
    if (index > 0) out.byte(0x2c);
    out.ascii('{"name":');
    out.string(name);
    out.ascii(`,"datatype":"${tensor.dtype}","shape":[${tensor.shape.join(',')}]`);
    if (binary) {
      const size = binarySize(tensor);
      binaryBytes += size;
      out.ascii(`,"parameters":{"binary_data_size":${size}}}`);
    } else {
      out.ascii(',"data":');
      writeFlatArray(out, elementsOf(tensor), 0, elementCount(tensor.shape));
      out.byte(0x7d);
    }
  });
  out.ascii(']}');
  const headerLength = out.pos;
  if (!selected.some((output) => output.binary)) {
    return { body: out.result(), contentType: 'application/json' };
  }
  out.reserve(binaryBytes);
  const body = out.bytes;
  let offset = headerLength;
  for (const { tensor, binary } of selected) {
    if (!binary) continue;
    if (isBytesTensor(tensor)) {
      offset = writeLengthPrefixedElements(tensor.data, body, offset);
    } else {
      body.set(tensor.data, offset);
      offset += tensor.data.byteLength;
    }
  }
  out.pos = offset;
  return {
    body: out.result(),
    inferenceHeaderContentLength: headerLength,
    contentType: 'application/octet-stream',
  };
}
