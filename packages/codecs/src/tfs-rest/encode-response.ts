import { ServingError, StatusCode, formatShape, isBytesTensor, type Tensor } from '@ovms/core';
import { nestedJsonArray, numericFormatter, type ElementFormatter } from '../json/index.js';
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
function bytesFormatter(name: string, data: readonly Uint8Array[]): ElementFormatter {
  if (name.endsWith('_bytes')) return (i) => base64Json(data[i] ?? new Uint8Array());
  return (i) => {
    const element = data[i] ?? new Uint8Array();
    try {
      return JSON.stringify(strictUtf8.decode(element));
    } catch {
      return base64Json(element);
    }
  };
}

function formatterFor(name: string, tensor: Tensor): ElementFormatter {
  return isBytesTensor(tensor) ? bytesFormatter(name, tensor.data) : numericFormatter(tensor);
}

/**
 * Encodes predict outputs as TF Serving REST JSON (api_rest.md, "Response format"): row format
 * → `{"predictions": …}` with one entry per batch row (a bare list for a single output, an
 * object per row for several); column format → `{"outputs": …}` (the bare tensor for a single
 * output, an object by name for several). NaN and ±Infinity are written as tokens, FP16/BF16
 * as numbers, 64-bit integers exactly.
 */
export function encodeTfsPredictResponse(
  outputs: ReadonlyMap<string, Tensor>,
  format: TfsRequestFormat,
): string {
  const entries = [...outputs];
  const [first] = entries;
  if (format === 'column') {
    if (entries.length === 1 && first !== undefined) {
      const [name, tensor] = first;
      return `{"outputs":${nestedJsonArray(formatterFor(name, tensor), tensor.shape)}}`;
    }
    const fields = entries.map(
      ([name, tensor]) =>
        `${JSON.stringify(name)}:${nestedJsonArray(formatterFor(name, tensor), tensor.shape)}`,
    );
    return `{"outputs":{${fields.join(',')}}}`;
  }
  const batch = rowBatchSize(entries);
  if (entries.length === 1 && first !== undefined) {
    const [name, tensor] = first;
    return `{"predictions":${nestedJsonArray(formatterFor(name, tensor), tensor.shape)}}`;
  }
  const columns = entries.map(([name, tensor]) => {
    const inner = tensor.shape.slice(1);
    let stride = 1;
    for (const dim of inner) stride *= dim;
    return { key: JSON.stringify(name), format: formatterFor(name, tensor), inner, stride };
  });
  let out = '{"predictions":[';
  for (let row = 0; row < batch; row++) {
    if (row > 0) out += ',';
    out += '{';
    columns.forEach((column, index) => {
      if (index > 0) out += ',';
      out += `${column.key}:${nestedJsonArray(column.format, column.inner, row * column.stride)}`;
    });
    out += '}';
  }
  return out + ']}';
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
