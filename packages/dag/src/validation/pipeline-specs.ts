import type { InputSpec, TensorSpec } from '@ovms/core';
import { pipelineError } from '../pipeline-status.js';
import type { PlanNode } from '../plan.js';
import type { NodeSignature } from '../signature.js';
import { describeSpec, intersectSpecs } from './shapes.js';

/**
 * What GetModelMetadata shows for a tensor that only passes from request to response: OVMS
 * leaves it untyped, which core's TensorSpec cannot say, so it is listed in `untyped`.
 */
export const UNTYPED_SHAPE: readonly number[] = [-1];

export interface PipelineSpecs {
  readonly inputs: InputSpec[];
  readonly outputs: TensorSpec[];
  readonly untyped: Set<string>;
}

/** A leading dimension per demultiplexer: its count, or -1 when dynamic. */
function demultiplyDims(nodes: ReadonlyMap<string, PlanNode>, level: readonly string[]): number[] {
  return level.map((name) => {
    const count = nodes.get(name)?.demultiplyCount ?? -1;
    return count > 0 ? count : -1;
  });
}

/**
 * The pipeline's inputs and outputs as OVMS computes them: an input takes the spec of the node
 * inputs it feeds (their intersection when several; none → ambiguous), with the request's
 * demultiplexed dimension first; an output takes its source's spec with a leading dimension
 * per demultiplexer the response gathers.
 */
export function pipelineSpecs(
  pipeline: string,
  nodes: ReadonlyMap<string, PlanNode>,
  signatures: ReadonlyMap<string, NodeSignature>,
  entry: PlanNode,
  exit: PlanNode,
): PipelineSpecs {
  const typed = new Map<string, InputSpec>();
  const fed = new Set<string>();
  for (const node of nodes.values()) {
    const signature = signatures.get(node.name);
    for (const connection of node.connections) {
      if (connection.source !== entry.name) continue;
      fed.add(connection.dataItem);
      const spec = signature?.inputs.find((input) => input.name === connection.input);
      if (spec === undefined) continue;
      const named = { ...spec, name: connection.dataItem };
      const known = typed.get(connection.dataItem);
      const merged = known === undefined ? named : intersectSpecs(known, named);
      if (merged === undefined) {
        throw pipelineError(
          'PIPELINE_INPUTS_AMBIGUOUS_METADATA',
          `pipeline: ${pipeline}; ${describeSpec(known ?? named)} vs ${describeSpec(named)} (node: ${node.name})`,
        );
      }
      typed.set(connection.dataItem, merged);
    }
  }
  const untyped = new Set<string>();
  const entryDims = demultiplyDims(nodes, entry.demultiplyCount === undefined ? [] : [entry.name]);
  const inputs: InputSpec[] = [];
  for (const [name] of entry.outputs) {
    if (!fed.has(name)) continue;
    const spec = typed.get(name);
    if (spec === undefined) untyped.add(name);
    inputs.push(
      spec === undefined
        ? { name, dtype: 'FP32', shape: UNTYPED_SHAPE }
        : withLeadingDims(spec, entryDims),
    );
  }
  const gatherDims = demultiplyDims(nodes, exit.inputLevel);
  const outputs = exit.connections.map((connection): TensorSpec => {
    const source = nodes.get(connection.source);
    const spec =
      source === entry
        ? typed.get(connection.dataItem)
        : source?.shardSpecs.get(connection.dataItem);
    if (spec === undefined) {
      untyped.add(connection.input);
      return { name: connection.input, dtype: 'FP32', shape: UNTYPED_SHAPE };
    }
    return { name: connection.input, dtype: spec.dtype, shape: [...gatherDims, ...spec.shape] };
  });
  return { inputs, outputs, untyped };
}

/**
 * A node input's spec as the pipeline's input, behind the request's demultiplexed dimension:
 * dims the model takes `auto` (and its batch dim) move along, so the pipeline accepts what the
 * model will reshape to.
 */
function withLeadingDims(spec: InputSpec, dims: readonly number[]): InputSpec {
  const shift = dims.length;
  const { autoDims, batchDim, layout } = spec;
  return {
    name: spec.name,
    dtype: spec.dtype,
    shape: [...dims, ...spec.shape],
    ...(batchDim !== undefined ? { batchDim: batchDim + shift } : {}),
    ...(autoDims !== undefined
      ? { autoDims: autoDims === 'all' ? 'all' : autoDims.map((dim) => dim + shift) }
      : {}),
    ...(layout !== undefined ? { layout } : {}),
  };
}
