import { StatusCode } from '@ovms/core';
import type { JsonReader } from './reader.js';
import type { TensorElements } from './tensor-elements.js';

/**
 * Reads a (nested) JSON array of scalars in one pass: elements go straight into `elements`,
 * and the shape is derived on the way, requiring every sub-array at one depth to have the same
 * length and every scalar the same depth (a ragged list is not an ndarray, api_rest.md).
 * Reading may be resumed with further values (TF Serving row format reads one instance at a
 * time at depth 1); the first array closed at a depth fixes that dimension.
 */
export class NdArrayReader {
  /** dims[d]: the length of every array at depth d, once one has closed. */
  private readonly dims: number[] = [];
  /** Depth of the scalars, once one was seen. */
  private rank = -1;

  constructor(
    readonly elements: TensorElements,
    private readonly label: string,
  ) {}

  read(reader: JsonReader, depth = 0): void {
    if (reader.peek() !== 0x5b) {
      if (this.rank === -1) {
        if (this.dims.length > depth) this.ragged(reader);
        this.rank = depth;
      } else if (this.rank !== depth) {
        this.ragged(reader);
      }
      this.elements.read(reader);
      return;
    }
    if (this.rank !== -1 && depth >= this.rank) this.ragged(reader);
    const at = reader.pos;
    reader.beginArray();
    let length = 0;
    const elements = this.elements;
    for (let first = true; reader.nextElement(first); first = false) {
      if (this.rank === depth + 1) {
        // Innermost arrays (known once the first scalar was seen): scalars only, read in
        // runs without recursing per element.
        if (reader.peek() === 0x5b) this.ragged(reader);
        elements.read(reader);
        length += 1 + elements.readRun(reader);
      } else {
        this.read(reader, depth + 1);
        length += 1;
      }
    }
    const known = this.dims[depth];
    if (known === undefined) this.dims[depth] = length;
    else if (known !== length) this.ragged(reader, at);
  }

  /**
   * The derived shape; `leading` replaces dimension 0 when values were read at depth 1. A
   * list with no scalars at all (`[[], []]`) takes the depth of its deepest array.
   */
  shape(leading?: number): number[] {
    const rank = this.rank === -1 ? this.dims.length : this.rank;
    const shape: number[] = [];
    for (let d = 0; d < rank; d++) shape.push(this.dims[d] ?? 0);
    if (leading !== undefined) {
      if (shape.length === 0) shape.push(leading);
      else shape[0] = leading;
    }
    return shape;
  }

  private ragged(reader: JsonReader, at = reader.pos): never {
    return reader.fail(
      `${this.label}: arrays are ragged (not a rectangular ndarray)`,
      StatusCode.REST_COULD_NOT_PARSE_INPUT,
      at,
    );
  }
}
