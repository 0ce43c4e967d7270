import type { PipelineDefinition } from '../definition.js';
import { ENTRY_NODE_NAME, EXIT_NODE_NAME } from '../definition.js';
import { pipelineError } from '../pipeline-status.js';
import type { PlanConnection, PlanNode } from '../plan.js';

/** Node names are unique; `request` and `response` are taken by the pipeline's ends. */
function checkNames(definition: PipelineDefinition): void {
  const seen = new Set([ENTRY_NODE_NAME, EXIT_NODE_NAME]);
  for (const node of definition.nodes) {
    if (seen.has(node.name)) {
      throw pipelineError(
        'PIPELINE_NODE_NAME_DUPLICATE',
        `pipeline: ${definition.name}; node name: ${node.name}`,
      );
    }
    seen.add(node.name);
  }
}

function aliasMap(
  pipeline: string,
  node: string,
  pairs: readonly { readonly alias: string; readonly dataItem: string }[],
): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const { alias, dataItem } of pairs) {
    if (outputs.has(alias)) {
      throw pipelineError(
        'PIPELINE_NODE_OUTPUT_ALIAS_DUPLICATE',
        `pipeline: ${pipeline}; node: ${node}; alias: ${alias}`,
      );
    }
    outputs.set(alias, dataItem);
  }
  return outputs;
}

function planNode(
  fields: Pick<PlanNode, 'name' | 'kind' | 'definition' | 'connections' | 'outputs'> & {
    readonly demultiplyCount?: number | undefined;
    readonly gatherFromNode?: string | undefined;
  },
): PlanNode {
  const count = fields.demultiplyCount;
  return {
    ...fields,
    // OVMS reads 0 as the deprecated spelling of dynamic.
    demultiplyCount: count === undefined ? undefined : count === 0 ? -1 : count,
    gatherFromNode: fields.gatherFromNode,
    level: [],
    inputLevel: [],
    shardSpecs: new Map(),
    inputSpecs: new Map(),
  };
}

/**
 * Builds the node graph of a definition and checks what needs no metadata: names, aliases,
 * references to nodes and data items, gather targets, and inputs fed twice.
 */
export function buildGraph(definition: PipelineDefinition): Map<string, PlanNode> {
  const pipeline = definition.name;
  checkNames(definition);
  const nodes = new Map<string, PlanNode>();
  nodes.set(
    ENTRY_NODE_NAME,
    planNode({
      name: ENTRY_NODE_NAME,
      kind: 'entry',
      definition: undefined,
      connections: [],
      outputs: aliasMap(
        pipeline,
        ENTRY_NODE_NAME,
        definition.inputs.map((name) => ({ alias: name, dataItem: name })),
      ),
      demultiplyCount: definition.demultiplyCount,
    }),
  );
  for (const node of definition.nodes) {
    nodes.set(
      node.name,
      planNode({
        name: node.name,
        kind: node.kind,
        definition: node,
        connections: node.inputs.map((input) => ({
          input: input.alias,
          source: input.nodeName,
          dataItem: input.dataItem,
        })),
        outputs: aliasMap(pipeline, node.name, node.outputs),
        demultiplyCount: node.demultiplyCount,
        gatherFromNode: node.gatherFromNode,
      }),
    );
  }
  nodes.set(
    EXIT_NODE_NAME,
    planNode({
      name: EXIT_NODE_NAME,
      kind: 'exit',
      definition: undefined,
      connections: definition.outputs.map((output) => ({
        input: output.name,
        source: output.nodeName,
        dataItem: output.dataItem,
      })),
      outputs: new Map(),
    }),
  );
  for (const node of nodes.values()) {
    checkConnections(pipeline, node, nodes);
    checkGather(pipeline, node, nodes);
  }
  return nodes;
}

function checkConnections(pipeline: string, node: PlanNode, nodes: Map<string, PlanNode>): void {
  const fed = new Set<string>();
  for (const connection of node.connections) {
    const source = nodes.get(connection.source);
    if (source === undefined) {
      throw pipelineError(
        'PIPELINE_NODE_REFERING_TO_MISSING_NODE',
        `pipeline: ${pipeline}; node: ${node.name} is connected to missing dependency node: ${connection.source}`,
      );
    }
    if (source.kind === 'exit') {
      throw pipelineError(
        'PIPELINE_EXIT_USED_AS_NODE_DEPENDENCY',
        `pipeline: ${pipeline}; node: ${node.name}`,
      );
    }
    if (!source.outputs.has(connection.dataItem)) {
      throw pipelineError(
        'PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE',
        `pipeline: ${pipeline}; missing dependency node: ${source.name} data item: ${connection.dataItem} for dependant node: ${node.name}`,
      );
    }
    if (fed.has(connection.input)) {
      throw pipelineError(
        'PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES',
        `pipeline: ${pipeline}; node: ${node.name} input name: ${connection.input} is connected to more than one data source`,
      );
    }
    fed.add(connection.input);
  }
}

function checkGather(pipeline: string, node: PlanNode, nodes: Map<string, PlanNode>): void {
  const gather = node.gatherFromNode;
  if (gather === undefined) return;
  const target = nodes.get(gather);
  if (target === undefined || target.kind === 'exit') {
    throw pipelineError(
      'PIPELINE_NODE_GATHER_FROM_NOT_EXISTING_NODE',
      `pipeline: ${pipeline}; node: ${node.name} has gather_from: ${gather} which does not exist in pipeline`,
    );
  }
  if (target.demultiplyCount === undefined) {
    throw pipelineError(
      'PIPELINE_NODE_GATHER_FROM_NOT_DEMULTIPLEXER',
      `pipeline: ${pipeline}; node: ${node.name} has gather_from: ${gather} which is not demultiplexer node`,
    );
  }
}

/** The distinct sources of a node, in connection order. */
export function sourcesOf(node: PlanNode): string[] {
  return [...new Set(node.connections.map((connection: PlanConnection) => connection.source))];
}
