import {
  DATA_TYPES,
  ServingError,
  StatusCode,
  createNumericTensor,
  elementCount,
  formatShape,
  type DataType,
  type Tensor,
  type TensorSpec,
} from '@ovms/core';
import { decodeLengthPrefixedElements } from '../bytes-elements.js';

/**
 * The binary data extension's framing (Triton docs/protocol/extension_binary_data.md): the
 * `Inference-Header-Content-Length` header gives the JSON length; undefined means the whole
 * body is JSON. It must be a non-negative integer no larger than the body.
 */
export function parseInferenceHeaderLength(
  value: string | undefined,
  bodyLength: number,
): number | undefined {
  if (value === undefined) return undefined;
  const length = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(length <= bodyLength)) {
    throw new ServingError(
      StatusCode.REST_INFERENCE_HEADER_LENGTH_INVALID,
      `expected an integer from 0 to the body length ${bodyLength}; actual '${value}'`,
    );
  }
  return length;
}

/** The bytes after the JSON, handed out to binary inputs in the order of `inputs`. */
export class BinarySection {
  private offset: number;

  constructor(
    private readonly body: Uint8Array,
    start: number,
  ) {
    this.offset = start;
  }

  /** The next `size` bytes, as a view of the body (no copy). */
  take(size: number, inputName: string): Uint8Array {
    const remaining = this.body.byteLength - this.offset;
    if (size > remaining) {
      throw new ServingError(
        StatusCode.REST_BINARY_BUFFER_EXCEEDED,
        `input ${inputName} has binary_data_size ${size}; ${remaining} bytes remain`,
      );
    }
    const bytes = this.body.subarray(this.offset, this.offset + size);
    this.offset += size;
    return bytes;
  }

  /** Bytes nobody claimed mean the client and server disagree on the framing. */
  finish(): void {
    const left = this.body.byteLength - this.offset;
    if (left > 0) {
      throw new ServingError(
        StatusCode.REST_INFER_REQUEST_INVALID,
        `${left} bytes follow the last binary input`,
      );
    }
  }
}

/** A tensor over binary-extension bytes: numeric data is a view, BYTES length-prefixed. */
export function binaryTensor(
  name: string,
  dtype: DataType,
  shape: readonly number[],
  bytes: Uint8Array,
): Tensor {
  const count = elementCount(shape);
  if (dtype === 'BYTES') {
    return { dtype, shape, data: decodeLengthPrefixedElements(bytes, count, name) };
  }
  const expected = count * DATA_TYPES[dtype].byteSize;
  if (bytes.byteLength !== expected) {
    throw new ServingError(
      StatusCode.INVALID_CONTENT_SIZE,
      `input ${name}: expected ${expected} bytes for ${dtype} ${formatShape(shape)}; actual ${bytes.byteLength}`,
    );
  }
  return createNumericTensor(dtype, shape, bytes);
}

/**
 * A raw binary request (`Inference-Header-Content-Length: 0`): the whole body is the model's
 * only input, treated as batch 1 (extension_binary_data.md, "Raw Binary Request"). Our rule:
 * the shape is the model's input shape with dimension 0 (OVMS shapes include the batch) set to
 * 1, and at most one other dynamic (negative) dimension inferred from the body size. A BYTES
 * input gets shape (1) and the body as its one element.
 */
export function decodeRawInput(body: Uint8Array, spec: TensorSpec | undefined): Tensor {
  if (spec === undefined) {
    throw new ServingError(
      StatusCode.INVALID_NO_OF_INPUTS,
      'a raw binary request (Inference-Header-Content-Length: 0) needs a model with exactly one input',
    );
  }
  if (spec.dtype === 'BYTES') return { dtype: 'BYTES', shape: [1], data: [body] };
  const shape = spec.shape.map((dim, index) => (index === 0 ? 1 : dim));
  const dynamic = shape.flatMap((dim, index) => (dim < 0 ? [index] : []));
  const [unknown, ...more] = dynamic;
  if (unknown !== undefined) {
    if (more.length > 0) {
      throw new ServingError(
        StatusCode.INVALID_SHAPE,
        `a raw binary request cannot fill more than one dynamic dimension; input ${spec.name} has shape ${formatShape(spec.shape)}`,
      );
    }
    const known = shape.reduce((product, dim) => (dim < 0 ? product : product * dim), 1);
    const rowBytes = known * DATA_TYPES[spec.dtype].byteSize;
    shape[unknown] = rowBytes === 0 ? 0 : body.byteLength / rowBytes;
    if (!Number.isInteger(shape[unknown])) {
      throw new ServingError(
        StatusCode.INVALID_CONTENT_SIZE,
        `input ${spec.name}: ${body.byteLength} bytes is not a whole number of ${rowBytes}-byte slices of ${formatShape(spec.shape)}`,
      );
    }
  }
  return binaryTensor(spec.name, spec.dtype, shape, body);
}
