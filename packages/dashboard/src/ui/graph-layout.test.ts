import { describe, expect, it } from 'vitest';
import { toPipelineGraph } from '../pipeline-graph.js';
import { NODE_WIDTH, layoutGraph } from './graph-layout.js';

const link = (nodeName: string, dataItem: string, alias = dataItem) => ({
  alias,
  nodeName,
  dataItem,
});

// request → a → c → response, and request → b → c: c is one column right of both.
const graph = toPipelineGraph({
  name: 'p',
  inputs: ['x'],
  nodes: [
    { name: 'a', kind: 'model', modelName: 'ma', inputs: [link('request', 'x')] },
    { name: 'b', kind: 'custom', libraryName: 'lib', inputs: [link('request', 'x')] },
    {
      name: 'c',
      kind: 'model',
      modelName: 'mc',
      inputs: [link('a', 'y', 'in1'), link('b', 'y', 'in2'), link('a', 'z')],
    },
  ],
  outputs: [
    { name: 'out', nodeName: 'c', dataItem: 'y' },
    { name: 'echo', nodeName: 'request', dataItem: 'x' },
  ],
});

describe('layoutGraph', () => {
  const layout = layoutGraph(graph);
  const x = (name: string) => layout.nodes.find((node) => node.name === name)?.x;

  it('puts every node one column right of its furthest producer, response last', () => {
    const column = (name: string) =>
      Math.round(((x(name) ?? NaN) - (x('request') ?? 0)) / (x('a')! - x('request')!));
    expect(['request', 'a', 'b', 'c', 'response'].map(column)).toEqual([0, 1, 1, 2, 3]);
  });

  it('stacks nodes of one column and sizes the drawing to hold them all', () => {
    const a = layout.nodes.find((node) => node.name === 'a');
    const b = layout.nodes.find((node) => node.name === 'b');
    expect(a?.x).toBe(b?.x);
    expect(a?.y).not.toBe(b?.y);
    for (const node of layout.nodes) {
      expect(node.x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
      expect(node.y).toBeGreaterThanOrEqual(0);
    }
  });

  it('draws one arrow per pair of nodes, labelled with each item and its alias', () => {
    expect(layout.edges.map((edge) => [edge.from, edge.to, edge.label])).toEqual([
      ['request', 'a', 'x'],
      ['request', 'b', 'x'],
      ['a', 'c', 'y→in1, z'],
      ['b', 'c', 'y→in2'],
      ['c', 'response', 'y→out'],
      ['request', 'response', 'x→echo'],
    ]);
    expect(layout.edges[0]?.path).toMatch(/^M[\d.]+,[\d.]+ C/);
  });

  it('still places a graph with a cycle, which the server never sends', () => {
    const cyclic = layoutGraph({
      name: 'loop',
      nodes: [
        { name: 'request', kind: 'request' },
        { name: 'a', kind: 'custom' },
        { name: 'b', kind: 'custom' },
        { name: 'response', kind: 'response' },
      ],
      edges: [
        { from: 'a', to: 'b', item: 'i', alias: 'i' },
        { from: 'b', to: 'a', item: 'i', alias: 'i' },
      ],
    });
    expect(cyclic.nodes).toHaveLength(4);
  });
});
