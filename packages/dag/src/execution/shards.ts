import { elementCount, formatShape } from '@ovms/core';
import type { DataType, Tensor } from '@ovms/core';
import { pipelineError } from '../pipeline-status.js';

/**
 * Splits a tensor along its first dimension. Numeric shards are views over the tensor's
 * bytes (a row-major slice along the first dimension is contiguous); BYTES shards share the
 * element buffers.
 */
export function splitTensor(tensor: Tensor): Tensor[] {
  const count = tensor.shape[0] ?? 0;
  const shape = tensor.shape.slice(1);
  const shards: Tensor[] = [];
  if (count === 0) return shards;
  if (tensor.dtype === 'BYTES') {
    const per = elementCount(shape);
    for (let i = 0; i < count; i++) {
      shards.push({ dtype: 'BYTES', shape, data: tensor.data.slice(i * per, (i + 1) * per) });
    }
    return shards;
  }
  const step = tensor.data.byteLength / count;
  for (let i = 0; i < count; i++) {
    shards.push({
      dtype: tensor.dtype,
      shape,
      data: tensor.data.subarray(i * step, (i + 1) * step),
    });
  }
  return shards;
}

/** Dtype and shape of a shard, for stacking zero shards; dynamic dims count as 0. */
export interface ShardTemplate {
  readonly dtype: DataType;
  readonly shape: readonly number[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/**
 * Consecutive views of one buffer (shards that came back untouched) form the stacked tensor
 * themselves; the common case of a gather right after a split costs no copy.
 */
function contiguousView(parts: readonly Uint8Array[]): Uint8Array | undefined {
  const first = parts[0];
  if (first === undefined) return undefined;
  let end = first.byteOffset;
  for (const part of parts) {
    if (part.buffer !== first.buffer || part.byteOffset !== end) return undefined;
    end += part.byteLength;
  }
  return new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
}

/**
 * Stacks shards as a new first dimension (OVMS gather). Every shard must have the same dtype
 * and shape; zero shards give a tensor whose first dimension is 0, shaped by `empty`.
 */
export function stackTensors(parts: readonly Tensor[], empty: ShardTemplate): Tensor {
  const first = parts[0];
  if (first === undefined) {
    const shape = [0, ...empty.shape.map((dim) => (dim < 0 ? 0 : dim))];
    return empty.dtype === 'BYTES'
      ? { dtype: 'BYTES', shape, data: [] }
      : { dtype: empty.dtype, shape, data: new Uint8Array(0) };
  }
  for (const part of parts) {
    if (part.dtype !== first.dtype || !sameShape(part.shape, first.shape)) {
      throw pipelineError(
        'PIPELINE_INCONSISTENT_SHARD_DIMENSIONS',
        `Expected: ${first.dtype} ${formatShape(first.shape)}; Actual: ${part.dtype} ${formatShape(part.shape)}`,
      );
    }
  }
  const shape = [parts.length, ...first.shape];
  if (first.dtype === 'BYTES') {
    return { dtype: 'BYTES', shape, data: parts.flatMap((part) => part.data as Uint8Array[]) };
  }
  const bytes = parts.map((part) => part.data as Uint8Array);
  let data = contiguousView(bytes);
  if (data === undefined) {
    data = new Uint8Array(bytes.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of bytes) {
      data.set(part, offset);
      offset += part.byteLength;
    }
  }
  return { dtype: first.dtype, shape, data };
}
