import type { TensorSpec } from '@ovms/core';

/**
 * A model input as requests are checked against it now: the shape of `@ovms/core`'s
 * `InputSpec` (same field names and meaning), declared here until core exports it.
 */
export interface InputSpec extends TensorSpec {
  /** Index of the batch dimension (layout `N`, else 0); absent for a rank 0 input. */
  readonly batchDim?: number;
  /** Dims that follow each request (OVMS `auto`): 'all' for `shape: auto`, [batchDim] for `batch_size: auto`. */
  readonly autoDims?: 'all' | readonly number[];
}
