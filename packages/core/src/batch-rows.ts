import { ServingError, StatusCode } from './status.js';
import { formatShape, type Tensor, type TensorMap } from './tensor.js';

/**
 * Rows a request contributes to a batch: the first dimension its inputs share. Undefined when
 * the request cannot join one (no inputs, an input of rank 0, inputs disagreeing in dim 0):
 * such a request runs alone, as it would without batching.
 */
export function rowsOf(inputs: TensorMap): number | undefined {
  let rows: number | undefined;
  for (const tensor of inputs.values()) {
    const first = tensor.shape[0];
    if (first === undefined || (rows !== undefined && first !== rows)) return undefined;
    rows = first;
  }
  return rows;
}

/**
 * What requests must agree in to share a batch: the input names, dtypes and every dimension
 * but the first (SPEC.md "Dynamic batching"). Names are sorted, since clients list them in any order.
 */
export function joinKey(inputs: TensorMap): string {
  const parts: string[] = [];
  for (const [name, tensor] of inputs) {
    parts.push(`${name}\u0000${tensor.dtype}\u0000${tensor.shape.slice(1).join(',')}`);
  }
  return parts.length === 1 ? parts[0]! : parts.sort().join('\u0001');
}

/** Reusable byte buffers for joined inputs: one copy per request, no allocation per batch. */
export class BufferPool {
  readonly #free: ArrayBuffer[] = [];
  readonly #limit: number;

  /** Keeps at most `limit` idle buffers; more are left to the garbage collector. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  take(byteLength: number): Uint8Array {
    const index = this.#free.findIndex((buffer) => buffer.byteLength >= byteLength);
    const buffer = index < 0 ? new ArrayBuffer(byteLength) : this.#free.splice(index, 1)[0]!;
    return new Uint8Array(buffer, 0, byteLength);
  }

  give(view: Uint8Array): void {
    if (this.#free.length < this.#limit) this.#free.push(view.buffer as ArrayBuffer);
  }
}

/**
 * The members' inputs joined along dimension 0, in member order. Numeric inputs are copied once
 * into buffers taken from `pool` (listed in `taken`, to give back once the engine is done with
 * them); BYTES inputs join their element lists, which copies references only.
 */
export function joinRows(
  members: readonly TensorMap[],
  rows: number,
  pool: BufferPool,
  taken: Uint8Array[],
): TensorMap {
  const first = members[0]!;
  const joined: TensorMap = new Map();
  for (const [name, sample] of first) {
    const shape = [rows, ...sample.shape.slice(1)];
    if (sample.dtype === 'BYTES') {
      const data: Uint8Array[] = [];
      for (const member of members) {
        for (const element of member.get(name)!.data as readonly Uint8Array[]) data.push(element);
      }
      joined.set(name, { dtype: 'BYTES', shape, data });
      continue;
    }
    let size = 0;
    for (const member of members) size += (member.get(name)!.data as Uint8Array).byteLength;
    const data = pool.take(size);
    taken.push(data);
    let offset = 0;
    for (const member of members) {
      const part = member.get(name)!.data as Uint8Array;
      data.set(part, offset);
      offset += part.byteLength;
    }
    joined.set(name, { dtype: sample.dtype, shape, data });
  }
  return joined;
}

/**
 * Rows `start` to `start + rows` of every output, as views of the engine's buffers (no copy).
 * An output whose first dimension is not the batch's row count cannot be split: the batch
 * fails with INTERNAL_INFERENCE_ERROR naming it rather than hand a request someone else's rows.
 */
export function sliceRows(
  outputs: TensorMap,
  total: number,
  start: number,
  rows: number,
): TensorMap {
  const sliced: TensorMap = new Map();
  for (const [name, tensor] of outputs)
    sliced.set(name, sliceTensor(name, tensor, total, start, rows));
  return sliced;
}

function sliceTensor(
  name: string,
  tensor: Tensor,
  total: number,
  start: number,
  rows: number,
): Tensor {
  if (tensor.shape[0] !== total) {
    throw new ServingError(
      StatusCode.INTERNAL_INFERENCE_ERROR,
      `output ${name} of shape ${formatShape(tensor.shape)} cannot be split into the batch's ${total} rows`,
    );
  }
  if (rows === total) return tensor;
  const shape = [rows, ...tensor.shape.slice(1)];
  const perRow = total === 0 ? 0 : tensor.data.length / total;
  const from = start * perRow;
  const to = from + rows * perRow;
  if (tensor.dtype === 'BYTES') return { dtype: 'BYTES', shape, data: tensor.data.slice(from, to) };
  return { dtype: tensor.dtype, shape, data: tensor.data.subarray(from, to) };
}
