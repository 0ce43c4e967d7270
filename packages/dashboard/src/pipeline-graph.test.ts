import { describe, expect, it } from 'vitest';
import { toPipelineGraph } from './pipeline-graph.js';

describe('toPipelineGraph', () => {
  it("adds OVMS's request and response nodes and one edge per node input and output", () => {
    const graph = toPipelineGraph({
      name: 'p',
      inputs: ['image'],
      nodes: [
        {
          name: 'pre',
          kind: 'custom',
          libraryName: 'lib',
          inputs: [{ alias: 'img', nodeName: 'request', dataItem: 'image' }],
        },
        {
          name: 'det',
          kind: 'model',
          modelName: 'm',
          inputs: [{ alias: 'x', nodeName: 'pre', dataItem: 'out' }],
        },
      ],
      outputs: [{ name: 'boxes', nodeName: 'det', dataItem: 'y' }],
    });
    expect(graph).toEqual({
      name: 'p',
      nodes: [
        { name: 'request', kind: 'request' },
        { name: 'pre', kind: 'custom', target: 'lib' },
        { name: 'det', kind: 'model', target: 'm' },
        { name: 'response', kind: 'response' },
      ],
      edges: [
        { from: 'request', to: 'pre', item: 'image', alias: 'img' },
        { from: 'pre', to: 'det', item: 'out', alias: 'x' },
        { from: 'det', to: 'response', item: 'y', alias: 'boxes' },
      ],
    });
  });

  it('leaves custom node parameters out', () => {
    const node = {
      name: 'n',
      kind: 'custom' as const,
      libraryName: 'lib',
      params: { keys_path: '/secret/keys.txt' },
      inputs: [],
    };
    const graph = toPipelineGraph({ name: 'p', inputs: [], nodes: [node], outputs: [] });
    expect(JSON.stringify(graph)).not.toContain('secret');
  });
});
