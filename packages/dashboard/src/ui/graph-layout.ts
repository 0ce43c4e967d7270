import type { GraphNode, PipelineGraph } from '../pipeline-graph.js';

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 46;
const COLUMN_GAP = 80;
const ROW_GAP = 22;
const MARGIN = 12;

export interface PlacedNode extends GraphNode {
  readonly x: number;
  readonly y: number;
}

/** An arrow between two placed nodes; `label` lists the data items it carries. */
export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** SVG path data from the producer's right edge to the consumer's left edge. */
  readonly path: string;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

/**
 * The column of each node: its longest distance from `request`, so every edge points right.
 * Pipelines are acyclic (the server refuses cycles); the loop is bounded all the same, so a
 * graph it was never meant to see still draws.
 */
function columns(graph: PipelineGraph): Map<string, number> {
  const column = new Map(graph.nodes.map((node) => [node.name, 0]));
  for (let pass = 0; pass < graph.nodes.length; pass += 1) {
    let moved = false;
    for (const edge of graph.edges) {
      const from = column.get(edge.from);
      const to = column.get(edge.to);
      if (from !== undefined && to !== undefined && to <= from) {
        column.set(edge.to, from + 1);
        moved = true;
      }
    }
    if (!moved) break;
  }
  // `response` closes the drawing even when an output comes straight from `request`.
  const last = Math.max(
    0,
    ...[...column.entries()].filter(([n]) => n !== 'response').map(([, c]) => c),
  );
  if (column.has('response')) column.set('response', last + 1);
  return column;
}

/** Places a pipeline's nodes left to right by data flow, for the SVG of the pipelines panel. */
export function layoutGraph(graph: PipelineGraph): GraphLayout {
  const column = columns(graph);
  const byColumn = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) {
    const c = column.get(node.name) ?? 0;
    byColumn.set(c, [...(byColumn.get(c) ?? []), node]);
  }
  const tallest = Math.max(1, ...[...byColumn.values()].map((nodes) => nodes.length));
  const height = MARGIN * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP;
  const placed = new Map<string, PlacedNode>();
  for (const [c, nodes] of byColumn) {
    const stack = nodes.length * NODE_HEIGHT + (nodes.length - 1) * ROW_GAP;
    nodes.forEach((node, row) => {
      placed.set(node.name, {
        ...node,
        x: MARGIN + c * (NODE_WIDTH + COLUMN_GAP),
        y: (height - stack) / 2 + row * (NODE_HEIGHT + ROW_GAP),
      });
    });
  }
  const columnsUsed = Math.max(0, ...column.values()) + 1;
  const width = MARGIN * 2 + columnsUsed * NODE_WIDTH + (columnsUsed - 1) * COLUMN_GAP;

  // Several items between the same two nodes are one arrow with every item in its label.
  const grouped = new Map<string, { from: string; to: string; items: string[] }>();
  for (const edge of graph.edges) {
    const key = `${edge.from}\u0000${edge.to}`;
    const entry = grouped.get(key) ?? { from: edge.from, to: edge.to, items: [] };
    entry.items.push(edge.item === edge.alias ? edge.item : `${edge.item}→${edge.alias}`);
    grouped.set(key, entry);
  }
  const edges: PlacedEdge[] = [];
  for (const { from, to, items } of grouped.values()) {
    const a = placed.get(from);
    const b = placed.get(to);
    if (a === undefined || b === undefined) continue;
    const x1 = a.x + NODE_WIDTH;
    const y1 = a.y + NODE_HEIGHT / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_HEIGHT / 2;
    const bend = Math.max(30, (x2 - x1) / 2);
    edges.push({
      from,
      to,
      label: items.join(', '),
      path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
    });
  }
  return { width, height, nodes: [...placed.values()], edges };
}
