import {
  ServingError,
  StatusCode,
  elementCount,
  formatShape,
  isBytesTensor,
  type Tensor,
} from '@ovms/core';
import {
  ESTIMATED_BYTES_PER_ELEMENT,
  JsonByteWriter,
  formattedElements,
  numericElements,
  writeNestedArray,
  type ElementWriter,
} from '../json/index.js';
import type { TfsRequestFormat } from './decode-request.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function base64Json(bytes: Uint8Array): string {
  return `{"b64":"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"}`;
}

/**
 * BYTES elements as api_rest.md says: outputs named `*_bytes` always as `{"b64": …}`; others
 * as strings, falling back to `{"b64": …}` for bytes that are not UTF-8 text, which a JSON
 * string cannot carry.
 */
function bytesElements(name: string, data: readonly Uint8Array[]): ElementWriter {
  if (name.endsWith('_bytes')) {
    return formattedElements((i) => base64Json(data[i] ?? new Uint8Array()));
  }
  return formattedElements((i) => {
    const element = data[i] ?? new Uint8Array();
    try {
      return JSON.stringify(strictUtf8.decode(element));
    } catch {
      return base64Json(element);
    }
  }, true);
}

function elementsOf(name: string, tensor: Tensor): ElementWriter {
  return isBytesTensor(tensor) ? bytesElements(name, tensor.data) : numericElements(tensor);
}

/** A first guess at the body size; the writer grows past it. */
function writerFor(outputs: ReadonlyMap<string, Tensor>): JsonByteWriter {
  let elements = 0;
  for (const tensor of outputs.values()) elements += elementCount(tensor.shape);
  return new JsonByteWriter(64 + Math.min(elements * ESTIMATED_BYTES_PER_ELEMENT, 2 ** 28), {
    reuse: true,
  });
}

/**
 * Encodes predict outputs as TF Serving REST JSON (api_rest.md, "Response format") in UTF-8:
 * row format → `{"predictions": …}` with one entry per batch row (a bare list for a single
 * output, an object per row for several); column format → `{"outputs": …}` (the bare tensor
 * for a single output, an object by name for several). NaN and ±Infinity are written as
 * tokens, FP16/BF16 as numbers, 64-bit integers exactly.
 */
export function encodeTfsPredictResponse(
  outputs: ReadonlyMap<string, Tensor>,
  format: TfsRequestFormat,
): Uint8Array {
  const entries = [...outputs];
  const [first] = entries;
  const out = writerFor(outputs);
  if (format === 'column') {
    out.ascii('{"outputs":');
    if (entries.length === 1 && first !== undefined) {
      const [name, tensor] = first;
      writeNestedArray(out, elementsOf(name, tensor), tensor.shape);
    } else {
      out.byte(0x7b);
      entries.forEach(([name, tensor], index) => {
        if (index > 0) out.byte(0x2c);
        out.string(name);
        out.byte(0x3a);
        writeNestedArray(out, elementsOf(name, tensor), tensor.shape);
      });
      out.byte(0x7d);
    }
    out.byte(0x7d);
    return out.result();
  }
  const batch = rowBatchSize(entries);
  out.ascii('{"predictions":');
  if (entries.length === 1 && first !== undefined) {
    const [name, tensor] = first;
    writeNestedArray(out, elementsOf(name, tensor), tensor.shape);
    out.byte(0x7d);
    return out.result();
  }
  const columns = entries.map(([name, tensor]) => {
    const inner = tensor.shape.slice(1);
    let stride = 1;
    for (const dim of inner) stride *= dim;
    return { name, elements: elementsOf(name, tensor), inner, stride };
  });
  out.byte(0x5b);
  for (let row = 0; row < batch; row++) {
    if (row > 0) out.byte(0x2c);
    out.byte(0x7b);
    columns.forEach((column, index) => {
      if (index > 0) out.byte(0x2c);
      out.string(column.name);
      out.byte(0x3a);
      writeNestedArray(out, column.elements, column.inner, row * column.stride);
    });
    out.byte(0x7d);
  }
  out.ascii(']}');
  return out.result();
}

/** Row format needs every output to share dimension 0, the batch (api_rest.md). */
function rowBatchSize(entries: readonly (readonly [string, Tensor])[]): number {
  let batch: number | undefined;
  for (const [name, tensor] of entries) {
    const dim = tensor.shape[0];
    if (dim === undefined) {
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `output ${name} is a scalar; the row format needs a batch dimension`,
      );
    }
    if (batch !== undefined && dim !== batch) {
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `outputs differ in batch size for the row format: ${name} has shape ${formatShape(tensor.shape)}, others batch ${batch}`,
      );
    }
    batch = dim;
  }
  return batch ?? 0;
}
