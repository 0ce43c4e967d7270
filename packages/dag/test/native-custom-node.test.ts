import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ServingError, bytesOf, typedView } from '@ovms/core';
import type { Tensor } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomNodeRegistry, createPipelineServable, validatePipeline } from '../src/index.js';
import type { PipelineDefinition } from '../src/index.js';
import { FixtureProvider } from './fixture-provider.js';

const run = promisify(execFile);
const source = fileURLToPath(new URL('fixtures/add-const-node.c', import.meta.url));

let dir: string;
let library: string;
let provider: FixtureProvider;

/** Compiles C with the machine's gcc into a shared library, as OVMS custom nodes are built. */
async function compile(file: string, output: string): Promise<void> {
  await run('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', output, file]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dag-native-'));
  library = join(dir, 'libadd_const.so');
  await compile(source, library);
  provider = await FixtureProvider.create({ add: 'add_f32' });
}, 60_000);

afterAll(async () => {
  await provider.close();
  await rm(dir, { recursive: true, force: true });
});

const f32 = (shape: number[], values: number[]): Tensor => ({
  dtype: 'FP32',
  shape,
  data: bytesOf(Float32Array.from(values)),
});
const valuesOf = (tensor: Tensor | undefined): number[] =>
  tensor === undefined || tensor.dtype !== 'FP32' ? [] : [...typedView('FP32', tensor.data)];

function definition(params: Record<string, string>): PipelineDefinition {
  return {
    name: 'native',
    inputs: ['x', 'y'],
    nodes: [
      {
        kind: 'custom',
        name: 'plus',
        libraryName: 'add_const',
        params,
        inputs: [{ alias: 'in_values', nodeName: 'request', dataItem: 'x' }],
        outputs: [{ dataItem: 'out_values', alias: 'shifted' }],
      },
      {
        kind: 'model',
        name: 'sum',
        modelName: 'add',
        inputs: [
          { alias: 'a', nodeName: 'plus', dataItem: 'shifted' },
          { alias: 'b', nodeName: 'request', dataItem: 'y' },
        ],
        outputs: [{ dataItem: 'sum', alias: 'sum' }],
      },
    ],
    outputs: [{ name: 'out', nodeName: 'sum', dataItem: 'sum' }],
  };
}

describe('OVMS C custom node libraries through koffi', () => {
  it('runs an unchanged .so node in a pipeline, and deinitializes it on dispose', async () => {
    const registry = new CustomNodeRegistry();
    expect((await registry.load([{ name: 'add_const', basePath: library }])).size).toBe(0);
    const marker = join(dir, 'deinitialized.txt');
    const pipeline = definition({ add_value: '10', marker });
    const customNodes = await registry.instantiate(pipeline);
    expect(customNodes.catalog(pipeline.nodes[0] as never)).toEqual({
      inputs: [{ name: 'in_values', dtype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'out_values', dtype: 'FP32', shape: [-1, 4] }],
    });
    const validated = validatePipeline(pipeline, {
      models: provider.catalog,
      customNodes: customNodes.catalog,
    });
    if (!validated.ok) throw validated.error;
    const servable = createPipelineServable(validated.pipeline, { provider, customNodes });
    const outputs = await servable.infer({
      inputs: new Map([
        ['x', f32([2, 4], [1, 2, 3, 4, 5, 6, 7, 8])],
        ['y', f32([2, 4], [0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1])],
      ]),
    });
    expect(valuesOf(outputs.get('out'))).toEqual([11.5, 12.5, 13.5, 14.5, 16, 17, 18, 19]);
    await registry.close();
    expect(await readFile(marker, 'utf8')).toBe('deinitialized');
  });

  it('reports a failing execute with its return code and the node name', async () => {
    const registry = new CustomNodeRegistry();
    await registry.load([{ name: 'add_const', basePath: library }]);
    const pipeline = definition({ fail: '1' });
    const customNodes = await registry.instantiate(pipeline);
    const validated = validatePipeline(pipeline, {
      models: provider.catalog,
      customNodes: customNodes.catalog,
    });
    if (!validated.ok) throw validated.error;
    const servable = createPipelineServable(validated.pipeline, { provider, customNodes });
    const x = f32([1, 4], [1, 2, 3, 4]);
    await expect(
      servable.infer({
        inputs: new Map([
          ['x', x],
          ['y', x],
        ]),
      }),
    ).rejects.toThrow('Custom node failed during execution - returned error code: 7; node: plus');
    expect(provider.held).toBe(0);
    await registry.close();
  });

  it('refuses a library that does not open or lacks a symbol', async () => {
    const partial = join(dir, 'partial.c');
    await writeFile(partial, 'int execute(void) { return 0; }\n');
    await compile(partial, join(dir, 'libpartial.so'));
    const registry = new CustomNodeRegistry();
    const errors = await registry.load([
      { name: 'missing', basePath: join(dir, 'nope.so') },
      { name: 'partial', basePath: join(dir, 'libpartial.so') },
    ]);
    const missing = errors.get('missing');
    expect(missing).toBeInstanceOf(ServingError);
    expect(missing?.message).toMatch(/^Custom node library failed to open - .*nope\.so: /);
    expect(errors.get('partial')?.message).toBe(
      `Custom node library failed to load symbol - ${join(dir, 'libpartial.so')}: getInputsInfo`,
    );
    await registry.close();
  });
});
