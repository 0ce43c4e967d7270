import type { InputSpec, TensorSpec } from '@ovms/core';
import type { PipelineDefinition, PipelineNodeDefinition } from './definition.js';

/** One edge into a node: its input `input` takes `source`'s output alias `dataItem`. */
export interface PlanConnection {
  /** The node's input name (for the response: the pipeline output name). */
  readonly input: string;
  readonly source: string;
  readonly dataItem: string;
}

/**
 * A node of a validated pipeline with what the executor needs precomputed: its demultiplexing
 * levels and the shard specs used when a gather receives no shards at all.
 */
export interface PlanNode {
  readonly name: string;
  readonly kind: 'entry' | 'model' | 'custom' | 'exit';
  readonly definition: PipelineNodeDefinition | undefined;
  /** Set on demultiplexers; -1 is dynamic (OVMS's deprecated 0 is normalised to -1). */
  readonly demultiplyCount: number | undefined;
  readonly gatherFromNode: string | undefined;
  readonly connections: readonly PlanConnection[];
  /** Output alias → the model's or library's output name. */
  readonly outputs: ReadonlyMap<string, string>;
  /** Demultiplexers whose sub-requests this node runs in, outermost first. */
  level: readonly string[];
  /** The level its inputs arrive at; longer than `level` by the levels it gathers. */
  inputLevel: readonly string[];
  /** Per output alias: the spec of one shard (the demultiplexed dimension removed). */
  readonly shardSpecs: Map<string, TensorSpec>;
  /** Per input name: what the node's model or library declares. */
  readonly inputSpecs: Map<string, TensorSpec>;
}

export interface PipelinePlan {
  readonly nodes: ReadonlyMap<string, PlanNode>;
  readonly entry: PlanNode;
  readonly exit: PlanNode;
  /** Nodes in an order where every node comes after its sources. */
  readonly order: readonly PlanNode[];
}

/** A pipeline that passed validation: its metadata and the plan the executor follows. */
export interface ValidatedPipeline {
  readonly definition: PipelineDefinition;
  /** Pipeline inputs, typed by the nodes they feed (GetModelMetadata). */
  readonly inputs: readonly InputSpec[];
  /** Pipeline outputs; gathered ones carry the demultiplexed dimension(s) first. */
  readonly outputs: readonly TensorSpec[];
  /** Inputs and outputs that only pass from request to response: OVMS leaves them untyped. */
  readonly untyped: ReadonlySet<string>;
  readonly plan: PipelinePlan;
}
