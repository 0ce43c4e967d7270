import type { Tensor, TensorMap } from '@ovms/core';
import { formatShape } from '@ovms/core';
import { pipelineError } from '../pipeline-status.js';
import type { PlanNode } from '../plan.js';
import { splitTensor } from './shards.js';

/** OVMS's ceiling on one demultiplication (`DEMULTIPLY_LIMIT`). */
export const DEMULTIPLY_LIMIT = 10_000;

/** A demultiplexer's outputs cut into sub-requests: `shards.get(alias)[i]` feeds sub-request i. */
export interface Split {
  readonly count: number;
  readonly shards: ReadonlyMap<string, readonly Tensor[]>;
  /** The tensors split, so a split into zero shards still tells a shard's dtype and shape. */
  readonly sources: TensorMap;
}

/**
 * Splits every output of a demultiplexer along its first dimension, with OVMS's run-time
 * checks: at least 3 dimensions, the configured count (or one agreed dynamic count), at most
 * DEMULTIPLY_LIMIT. A count of 0 yields no sub-requests (OVMS aborts there instead).
 */
export function demultiply(node: PlanNode, outputs: TensorMap): Split {
  const fixed = node.demultiplyCount !== undefined && node.demultiplyCount > 0;
  let count: number | undefined;
  const shards = new Map<string, readonly Tensor[]>();
  for (const [alias, tensor] of outputs) {
    // The run appends the node name to every error it attributes.
    const where = `output: ${alias}; shape: ${formatShape(tensor.shape)}`;
    if (tensor.shape.length < 3) {
      throw pipelineError(
        'PIPELINE_WRONG_NUMBER_OF_DIMENSIONS_TO_DEMULTIPLY',
        `Must be at least 3; ${where}`,
      );
    }
    const first = tensor.shape[0] ?? 0;
    if (fixed && first !== node.demultiplyCount) {
      throw pipelineError(
        'PIPELINE_WRONG_DIMENSION_SIZE_TO_DEMULTIPLY',
        `Expected: ${node.demultiplyCount ?? -1}; Actual: ${first}; ${where}`,
      );
    }
    if (first > DEMULTIPLY_LIMIT) {
      throw pipelineError(
        'PIPELINE_TOO_LARGE_DIMENSION_SIZE_TO_DEMULTIPLY',
        `Maximum allowed is: ${DEMULTIPLY_LIMIT}; ${where}`,
      );
    }
    if (count !== undefined && first !== count) {
      throw pipelineError(
        'PIPELINE_WRONG_DIMENSION_SIZE_TO_DEMULTIPLY',
        `Expected: ${count}; Actual: ${first}; ${where}`,
      );
    }
    count = first;
    shards.set(alias, splitTensor(tensor));
  }
  return { count: count ?? 0, shards, sources: outputs };
}
