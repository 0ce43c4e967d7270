import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomNodeRegistry } from '../src/index.js';
import type { CustomNodeDefinition, PipelineDefinition } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dag-registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NODE_SOURCE = `
const events = (globalThis.__registryEvents ??= []);
export default {
  initialize(params) { events.push('init ' + params.tag); return { tag: params.tag }; },
  deinitialize(state) { events.push('deinit ' + state.tag); },
  getInputsInfo: () => [{ name: 'in', dtype: 'FP32', shape: [-1] }],
  getOutputsInfo: () => [{ name: 'out', dtype: 'FP32', shape: [-1] }],
  execute: (inputs) => new Map([['out', inputs.get('in')]]),
};
`;

async function module(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

const events = (): string[] =>
  ((globalThis as { __registryEvents?: string[] }).__registryEvents ??= []);

function pipelineWith(...nodes: [string, string][]): PipelineDefinition {
  const custom = nodes.map(([name, tag]): CustomNodeDefinition => ({
    kind: 'custom',
    name,
    libraryName: 'lib',
    params: { tag },
    inputs: [{ alias: 'in', nodeName: 'request', dataItem: 'x' }],
    outputs: [{ dataItem: 'out', alias: 'out' }],
  }));
  return { name: 'p', inputs: ['x'], nodes: custom, outputs: [] };
}

describe('CustomNodeRegistry', () => {
  it('imports each library once, initializes each pipeline node, deinitializes on dispose', async () => {
    const imported: string[] = [];
    const registry = new CustomNodeRegistry({
      importer: (url) => {
        imported.push(url);
        return import(url);
      },
    });
    const basePath = await module('echo.mjs', NODE_SOURCE);
    await registry.load([{ name: 'lib', basePath }]);
    await registry.load([{ name: 'lib', basePath }]);
    expect(imported).toEqual([pathToFileURL(basePath).href]);
    const first = await registry.instantiate(pipelineWith(['a', '1'], ['b', '2']));
    const second = await registry.instantiate(pipelineWith(['c', '3']));
    expect(events()).toEqual(['init 1', 'init 2', 'init 3']);
    await first.dispose();
    await first.dispose();
    expect(events()).toEqual(['init 1', 'init 2', 'init 3', 'deinit 1', 'deinit 2']);
    await registry.close();
    expect(events().slice(-1)).toEqual(['deinit 3']);
    void second;
  });

  it('reports a module that cannot be imported or lacks a function', async () => {
    const registry = new CustomNodeRegistry();
    const incomplete = await module('incomplete.mjs', 'export function execute() {}\n');
    const errors = await registry.load([
      { name: 'gone', basePath: join(dir, 'gone.mjs') },
      { name: 'incomplete', basePath: incomplete },
    ]);
    expect(errors.get('gone')?.message).toMatch(
      /^Custom node library failed to open - .*gone\.mjs: /,
    );
    expect(errors.get('incomplete')?.message).toBe(
      `Custom node library failed to load symbol - ${incomplete}: missing function getInputsInfo`,
    );
    const pipeline = { ...pipelineWith(['a', '1']), nodes: [] };
    const broken: CustomNodeDefinition = {
      ...(pipelineWith(['a', '1']).nodes[0] as CustomNodeDefinition),
      libraryName: 'gone',
    };
    const nodes = await registry.instantiate({ ...pipeline, nodes: [broken] });
    const result = nodes.catalog(broken);
    expect(result instanceof Error ? result.message : result).toMatch(
      /^Pipeline refers to incorrect library - node: a; library: gone; Custom node library failed to open/,
    );
    await registry.close();
  });

  it('reports an initialize or metadata call that throws, per node', async () => {
    const registry = new CustomNodeRegistry();
    const basePath = await module(
      'throws.mjs',
      `export function initialize(params) { if (params.tag === 'bad') throw new Error('no init'); return {}; }
       export function getInputsInfo() { throw new Error('no info'); }
       export const getOutputsInfo = () => [];
       export const execute = () => new Map();`,
    );
    await registry.load([{ name: 'lib', basePath }]);
    const pipeline = pipelineWith(['a', 'bad'], ['b', 'good']);
    const nodes = await registry.instantiate(pipeline);
    const message = (node: CustomNodeDefinition) => {
      const result = nodes.catalog(node);
      return result instanceof Error ? result.message : result;
    };
    expect(message(pipeline.nodes[0] as CustomNodeDefinition)).toBe(
      'Failure during custom node library initialization - node: a; library: lib: no init',
    );
    expect(message(pipeline.nodes[1] as CustomNodeDefinition)).toBe(
      'Custom node failed on metadata call - node: b; library: lib: no info',
    );
    await registry.close();
  });
});
