import { EXIT_NODE_NAME } from '../definition.js';
import { pipelineError } from '../pipeline-status.js';
import type { PlanNode } from '../plan.js';
import { sourcesOf } from './graph.js';

/**
 * Orders the nodes so that each follows its sources (Kahn), refusing cycles, and refuses nodes
 * the response does not depend on — as OVMS, which walks the graph back from the response.
 */
export function orderNodes(pipeline: string, nodes: ReadonlyMap<string, PlanNode>): PlanNode[] {
  const pending = new Map<string, number>();
  const consumers = new Map<string, PlanNode[]>();
  for (const node of nodes.values()) {
    const sources = sourcesOf(node);
    pending.set(node.name, sources.length);
    for (const source of sources) {
      consumers.set(source, [...(consumers.get(source) ?? []), node]);
    }
  }
  const order: PlanNode[] = [];
  const ready = [...nodes.values()].filter((node) => pending.get(node.name) === 0);
  for (let node = ready.shift(); node !== undefined; node = ready.shift()) {
    order.push(node);
    for (const consumer of consumers.get(node.name) ?? []) {
      const left = (pending.get(consumer.name) ?? 0) - 1;
      pending.set(consumer.name, left);
      if (left === 0) ready.push(consumer);
    }
  }
  if (order.length !== nodes.size) throw cycleError(pipeline, nodes, new Set(order));
  const needed = new Set<string>();
  const walk = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    const node = nodes.get(name);
    if (node !== undefined) for (const source of sourcesOf(node)) walk(source);
  };
  walk(EXIT_NODE_NAME);
  const unconnected = order.filter((node) => !needed.has(node.name)).map((node) => node.name);
  if (unconnected.length > 0) {
    throw pipelineError(
      'PIPELINE_CONTAINS_UNCONNECTED_NODES',
      `pipeline: ${pipeline}; nodes not connected to the response: ${unconnected.join(', ')}`,
    );
  }
  return order;
}

/** Names one cycle among the nodes Kahn could not order, for the message. */
function cycleError(
  pipeline: string,
  nodes: ReadonlyMap<string, PlanNode>,
  ordered: ReadonlySet<PlanNode>,
) {
  const stuck = [...nodes.values()].find((node) => !ordered.has(node));
  const path: string[] = [];
  let current = stuck;
  while (current !== undefined && !path.includes(current.name)) {
    path.push(current.name);
    const next = sourcesOf(current)
      .map((name) => nodes.get(name))
      .find((node) => node !== undefined && !ordered.has(node));
    current = next;
  }
  const start = current === undefined ? 0 : path.indexOf(current.name);
  const cycle = path.slice(start).reverse();
  const detail =
    cycle.length === 1
      ? `node: ${cycle[0] ?? ''} is connected to itself in pipeline: ${pipeline}`
      : `in pipeline: ${pipeline}, following nodes creates cycle: ${cycle.join(', ')}`;
  return pipelineError('PIPELINE_CYCLE_FOUND', detail);
}

const levelText = (level: readonly string[]): string =>
  level.length === 0 ? 'none' : level.join(' > ');

/**
 * Assigns each node the demultiplexers it runs under and checks that demultiplexers and
 * gathers nest (OVMS's LIFO rule): a node's sources share one level, a gather closes the
 * innermost open demultiplexer, and the response closes every one no node gathered.
 */
export function assignLevels(pipeline: string, order: readonly PlanNode[]): void {
  const outLevel = new Map<string, readonly string[]>();
  const gathered = new Set(
    order.map((node) => node.gatherFromNode).filter((name) => name !== undefined),
  );
  for (const node of order) {
    const levels = sourcesOf(node).map((source) => ({
      source,
      level: outLevel.get(source) ?? [],
    }));
    const first = levels[0]?.level ?? [];
    const other = levels.find(({ level }) => levelText(level) !== levelText(first));
    if (other !== undefined) {
      throw pipelineError(
        'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
        `pipeline: ${pipeline}; node: ${node.name} has inputs from paths with different demultiply levels: ${levels
          .map(({ source, level }) => `${source} (${levelText(level)})`)
          .join(', ')}`,
      );
    }
    node.inputLevel = first;
    node.level = node.kind === 'exit' ? [] : first;
    if (node.gatherFromNode !== undefined) {
      const innermost = first[first.length - 1];
      if (innermost !== node.gatherFromNode) {
        throw pipelineError(
          'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
          first.includes(node.gatherFromNode)
            ? `pipeline: ${pipeline}; after demultiplexer node: ${innermost ?? ''} there is gathering from different node: ${node.gatherFromNode} (node: ${node.name})`
            : `pipeline: ${pipeline}; node: ${node.name} gathers from node that is not in its path: ${node.gatherFromNode}`,
        );
      }
      node.level = first.slice(0, -1);
    }
    if (node.kind === 'exit') {
      const closedElsewhere = first.find((name) => gathered.has(name));
      if (closedElsewhere !== undefined) {
        throw pipelineError(
          'PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER',
          `pipeline: ${pipeline}; exists path that doesn't gather from demultiplexer node: ${closedElsewhere}`,
        );
      }
    }
    outLevel.set(
      node.name,
      node.demultiplyCount === undefined ? node.level : [...node.level, node.name],
    );
  }
}
