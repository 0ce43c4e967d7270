/**
 * A `pipeline_config_list` entry as the DAG package takes it. The shapes mirror
 * `@ovms/config`'s PipelineConfig (the app passes those through unchanged) without importing
 * it: dag depends on core only.
 */

/** Name OVMS gives the node that stands for the request: node inputs read pipeline inputs from it. */
export const ENTRY_NODE_NAME = 'request';
/** Name OVMS gives the node that stands for the response. */
export const EXIT_NODE_NAME = 'response';

/** A node input: `alias` is the input name the model or library sees. */
export interface NodeInputDefinition {
  readonly alias: string;
  /** The node producing it, or `request` for a pipeline input. */
  readonly nodeName: string;
  /** The producing node's output alias (or the pipeline input name). */
  readonly dataItem: string;
}

/** A node output: the model's or library's `dataItem`, published under `alias`. */
export interface NodeOutputDefinition {
  readonly dataItem: string;
  readonly alias: string;
}

interface NodeDefinitionBase {
  readonly name: string;
  readonly inputs: readonly NodeInputDefinition[];
  readonly outputs: readonly NodeOutputDefinition[];
  /** N: every output's first dimension is N and splits into N sub-requests; -1 (or 0): dynamic. */
  readonly demultiplyCount?: number;
  readonly gatherFromNode?: string;
}

export interface ModelNodeDefinition extends NodeDefinitionBase {
  readonly kind: 'model';
  readonly modelName: string;
  /** Absent: the model's default (highest available) version, as OVMS. */
  readonly version?: number;
}

export interface CustomNodeDefinition extends NodeDefinitionBase {
  readonly kind: 'custom';
  readonly libraryName: string;
  readonly params: Readonly<Record<string, string>>;
}

export type PipelineNodeDefinition = ModelNodeDefinition | CustomNodeDefinition;

/** A pipeline output: `name` is what the client sees. */
export interface PipelineOutputDefinition {
  readonly name: string;
  readonly nodeName: string;
  readonly dataItem: string;
}

export interface PipelineDefinition {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly nodes: readonly PipelineNodeDefinition[];
  readonly outputs: readonly PipelineOutputDefinition[];
  /** Demultiplexes the request itself (OVMS pipeline-level `demultiply_count`). */
  readonly demultiplyCount?: number;
}

/** A `custom_node_library_config_list` entry; `basePath` is already resolved. */
export interface CustomNodeLibraryDefinition {
  readonly name: string;
  readonly basePath: string;
}
