import type { InputSpec, ServingError, TensorSpec } from '@ovms/core';
import type { CustomNodeDefinition } from './definition.js';

/** The inputs and outputs a node's model or library declares; -1 marks a dynamic dimension. */
export interface NodeSignature {
  /** As the model checks requests now: `auto` dims take any size. */
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
}

/**
 * What the model manager knows of a model now: its (default or given) version's signature, or
 * 'missing' when no such model or version is available. Validation only reads it.
 */
export type ModelCatalog = (name: string, version?: number) => NodeSignature | 'missing';

/**
 * A custom node's signature as its initialized library reports it for the node's params;
 * 'missing' when the library is not loaded, or the error its load, initialize or metadata
 * call produced.
 */
export type CustomNodeCatalog = (
  node: CustomNodeDefinition,
) => NodeSignature | 'missing' | ServingError;
