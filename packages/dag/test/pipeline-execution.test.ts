import { fileURLToPath } from 'node:url';
import { parseConfigText } from '@ovms/config';
import { ServingError, bytesOf, typedView } from '@ovms/core';
import type { Servable, Tensor, TensorMap } from '@ovms/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomNodeRegistry, createPipelineServable, validatePipeline } from '../src/index.js';
import type { PipelineCustomNodes, PipelineDefinition } from '../src/index.js';
import { FixtureProvider } from './fixture-provider.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const log: string[] = [];
(globalThis as { __dagTestLog?: string[] }).__dagTestLog = log;

let provider: FixtureProvider;
const registry = new CustomNodeRegistry();
const instances: PipelineCustomNodes[] = [];

beforeAll(async () => {
  provider = await FixtureProvider.create({
    add: 'add_f32',
    left: 'add_f32',
    right: 'add_f32',
    slow: 'add_f32',
  });
  const errors = await registry.load([
    { name: 'rows', basePath: fixture('split-rows.ts') },
    { name: 'nodes', basePath: fixture('test-nodes.mjs') },
  ]);
  expect(errors.size).toBe(0);
}, 60_000);

afterAll(async () => {
  await registry.close();
  await provider.close();
});

async function serve(definition: PipelineDefinition): Promise<Servable> {
  const customNodes = await registry.instantiate(definition);
  instances.push(customNodes);
  const result = validatePipeline(definition, {
    models: provider.catalog,
    customNodes: customNodes.catalog,
  });
  if (!result.ok) throw result.error;
  return createPipelineServable(result.pipeline, { provider, customNodes });
}

const f32 = (shape: number[], values: number[]): Tensor => ({
  dtype: 'FP32',
  shape,
  data: bytesOf(Float32Array.from(values)),
});
const valuesOf = (tensor: Tensor | undefined): number[] =>
  tensor === undefined || tensor.dtype !== 'FP32' ? [] : [...typedView('FP32', tensor.data)];
const request = (inputs: Record<string, Tensor>) => ({ inputs: new Map(Object.entries(inputs)) });
const X = f32([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
const Y = f32([2, 4], [10, 20, 30, 40, 50, 60, 70, 80]);

async function failure(promise: Promise<unknown>): Promise<ServingError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServingError);
  return error as ServingError;
}

describe('pipeline execution on onnxruntime models', () => {
  it('runs a linear chain parsed from config.json and serves it as version 1', async () => {
    const config = parseConfigText(
      JSON.stringify({
        model_config_list: [],
        pipeline_config_list: [
          {
            name: 'chain',
            inputs: ['x', 'y'],
            nodes: [
              {
                name: 'first',
                type: 'DL model',
                model_name: 'add',
                inputs: [
                  { a: { node_name: 'request', data_item: 'x' } },
                  { b: { node_name: 'request', data_item: 'y' } },
                ],
                outputs: [{ data_item: 'sum', alias: 'partial' }],
              },
              {
                name: 'second',
                type: 'DL model',
                model_name: 'add',
                inputs: [
                  { a: { node_name: 'first', data_item: 'partial' } },
                  { b: { node_name: 'request', data_item: 'y' } },
                ],
                outputs: [{ data_item: 'sum', alias: 'total' }],
              },
            ],
            outputs: [{ result: { node_name: 'second', data_item: 'total' } }],
          },
        ],
      }),
      { configPath: '/etc/ovms/config.json' },
    );
    const definition = config.pipelines[0];
    if (definition === undefined) throw new Error('no pipeline parsed');
    const servable = await serve(definition);
    expect([servable.kind, servable.version, servable.name]).toEqual(['pipeline', 1, 'chain']);
    expect(servable.inputs.map((s) => `${s.name}:${s.dtype}:${s.shape.join('x')}`)).toEqual([
      'x:FP32:-1x4',
      'y:FP32:-1x4',
    ]);
    const before = provider.acquired;
    const outputs = await servable.infer(request({ x: X, y: Y }));
    expect([...outputs.keys()]).toEqual(['result']);
    expect(valuesOf(outputs.get('result'))).toEqual([21, 42, 63, 84, 105, 126, 147, 168]);
    expect(provider.acquired - before).toBe(2);
    expect(provider.held).toBe(0);
  });

  it('runs the two branches of a diamond concurrently', async () => {
    const servable = await serve({
      name: 'diamond',
      inputs: ['x', 'y'],
      nodes: [
        model('top', 'add', { a: 'request.x', b: 'request.y' }),
        model('l', 'left', { a: 'top.s', b: 'request.y' }),
        model('r', 'right', { a: 'top.s', b: 'request.x' }),
      ],
      outputs: [
        { name: 'left', nodeName: 'l', dataItem: 's' },
        { name: 'right', nodeName: 'r', dataItem: 's' },
      ],
    });
    const outputs = await servable.infer(request({ x: X, y: Y }));
    expect(valuesOf(outputs.get('left'))).toEqual([21, 42, 63, 84, 105, 126, 147, 168]);
    expect(valuesOf(outputs.get('right'))).toEqual([12, 24, 36, 48, 60, 72, 84, 96]);
    const last = (name: string) => provider.calls.filter((c) => c.model === name).at(-1);
    const left = last('left');
    const right = last('right');
    const top = last('add');
    // Each branch started before the other ended, and both after their common source ended.
    expect(left && right && left.start < (right.end ?? 0) && right.start < (left.end ?? 0)).toBe(
      true,
    );
    expect(top && left && right && (top.end ?? 0) < Math.min(left.start, right.start)).toBe(true);
  });

  it('fails the request with the failing node named, after every lease is released', async () => {
    const servable = await serve({
      name: 'failing',
      inputs: ['x', 'y'],
      nodes: [model('held', 'slow', { a: 'request.x', b: 'request.y' }), custom('bad', 'fail')],
      outputs: [
        { name: 'a', nodeName: 'held', dataItem: 's' },
        { name: 'b', nodeName: 'bad', dataItem: 'out' },
      ],
    });
    const open = provider.gate('slow');
    const before = provider.acquired;
    const error = await failure(servable.infer(request({ x: X, y: Y })));
    open();
    expect([error.code, error.message]).toEqual([
      'NODE_LIBRARY_EXECUTION_FAILED',
      'Custom node failed during execution - library: nodes: boom; node: bad',
    ]);
    expect(provider.acquired - before).toBe(1);
    expect(provider.held).toBe(0);
    expect(provider.calls.filter((c) => c.model === 'slow').at(-1)?.end).toBeDefined();
  });

  it('names a model node whose inputs a custom node produced wrong', async () => {
    const servable = await serve({
      name: 'misfit',
      inputs: ['x', 'y'],
      nodes: [custom('shaper', 'badshape'), model('m', 'add', { a: 'shaper.out', b: 'request.y' })],
      outputs: [{ name: 'out', nodeName: 'm', dataItem: 's' }],
    });
    const error = await failure(servable.infer(request({ x: X, y: Y })));
    expect([error.code, error.message]).toEqual([
      'INVALID_SHAPE',
      'Invalid input shape - Expected: (-1,4); Actual: (1,5); input name: a; node: m',
    ]);
    expect(provider.held).toBe(0);
  });

  it('stops at an aborted signal and releases the lease in flight', async () => {
    const servable = await serve({
      name: 'abortable',
      inputs: ['x', 'y'],
      nodes: [model('held', 'slow', { a: 'request.x', b: 'request.y' })],
      outputs: [{ name: 'a', nodeName: 'held', dataItem: 's' }],
    });
    const open = provider.gate('slow');
    const controller = new AbortController();
    const pending = servable.infer({ ...request({ x: X, y: Y }), signal: controller.signal });
    await provider.reached('slow');
    expect(provider.held).toBe(1);
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    open();
    expect(provider.held).toBe(0);
  });

  it('checks the request against the pipeline inputs before running anything', async () => {
    const servable = await serve({
      name: 'checked',
      inputs: ['x', 'y'],
      nodes: [model('m', 'add', { a: 'request.x', b: 'request.y' })],
      outputs: [{ name: 'out', nodeName: 'm', dataItem: 's' }],
    });
    const before = provider.calls.length;
    const missing = await failure(
      servable.infer({
        inputs: new Map([
          ['x', X],
          ['z', Y],
        ]),
      }),
    );
    expect(missing.message).toBe('Missing input with specific name - Required input: y');
    const shape = await failure(servable.infer(request({ x: f32([1, 2], [1, 2]), y: Y })));
    expect(shape.message).toBe(
      'Invalid input shape - Expected: (-1,4); Actual: (1,2); input name: x',
    );
    expect(provider.calls.length).toBe(before);
  });
});

describe('demultiplexing and gathering', () => {
  const shardPipeline = (name: string, count: number): PipelineDefinition => ({
    name,
    inputs: ['x'],
    nodes: [
      {
        kind: 'custom',
        name: 'split',
        libraryName: 'rows',
        params: {},
        inputs: [{ alias: 'in', nodeName: 'request', dataItem: 'x' }],
        outputs: [{ dataItem: 'rows', alias: 'rows' }],
        demultiplyCount: count,
      },
      model('twice', 'add', { a: 'split.rows', b: 'split.rows' }),
    ],
    outputs: [{ name: 'out', nodeName: 'twice', dataItem: 's' }],
  });

  it('splits into N sub-requests and gathers them at the response', async () => {
    const servable = await serve(shardPipeline('fixed', 2));
    expect(servable.outputs).toEqual([{ name: 'out', dtype: 'FP32', shape: [2, -1, 4] }]);
    const before = provider.calls.length;
    const outputs = await servable.infer(request({ x: X }));
    expect(outputs.get('out')?.shape).toEqual([2, 1, 4]);
    expect(valuesOf(outputs.get('out'))).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(provider.calls.length - before).toBe(2);
    const wrong = await failure(servable.infer(request({ x: f32([1, 4], [1, 2, 3, 4]) })));
    expect(wrong.message).toBe(
      'Wrong dimension size. Should match demultiply count - Expected: 2; Actual: 1; output: rows; shape: (1,1,4); node: split',
    );
  });

  it('takes a dynamic count from the data, including zero', async () => {
    const servable = await serve(shardPipeline('dynamic', -1));
    expect(servable.outputs).toEqual([{ name: 'out', dtype: 'FP32', shape: [-1, -1, 4] }]);
    const three = await servable.infer(
      request({ x: f32([3, 4], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]) }),
    );
    expect(three.get('out')?.shape).toEqual([3, 1, 4]);
    expect(valuesOf(three.get('out'))).toEqual([2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6]);
    const before = provider.calls.length;
    const none = await servable.infer(request({ x: f32([0, 4], []) }));
    // The model declares (-1,4) per shard; with no shard to look at, dynamic dims become 0.
    expect(none.get('out')).toEqual({ dtype: 'FP32', shape: [0, 0, 4], data: new Uint8Array(0) });
    expect(provider.calls.length).toBe(before);
  });

  it('demultiplexes the request itself with a pipeline-level demultiply_count', async () => {
    const servable = await serve({
      name: 'per-request-row',
      inputs: ['x', 'y'],
      demultiplyCount: -1,
      nodes: [model('m', 'add', { a: 'request.x', b: 'request.y' })],
      outputs: [{ name: 'out', nodeName: 'm', dataItem: 's' }],
    });
    expect(servable.inputs.map((spec) => spec.shape)).toEqual([
      [-1, -1, 4],
      [-1, -1, 4],
    ]);
    const x = f32([2, 1, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const before = provider.calls.length;
    const outputs = await servable.infer(request({ x, y: x }));
    expect(outputs.get('out')?.shape).toEqual([2, 1, 4]);
    expect(valuesOf(outputs.get('out'))).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(provider.calls.length - before).toBe(2);
  });

  it('gathers at a node named by gather_from_node', async () => {
    const definition = shardPipeline('gathered', -1);
    const servable = await serve({
      ...definition,
      nodes: [
        ...definition.nodes,
        {
          ...custom('total', 'sum', 'twice.s'),
          outputs: [{ dataItem: 'total', alias: 'total' }],
          gatherFromNode: 'split',
        },
      ],
      outputs: [{ name: 'total', nodeName: 'total', dataItem: 'total' }],
    });
    expect(servable.outputs).toEqual([{ name: 'total', dtype: 'FP32', shape: [1, 4] }]);
    const outputs: TensorMap = await servable.infer(request({ x: X }));
    expect(valuesOf(outputs.get('total'))).toEqual([12, 16, 20, 24]);
    const empty = await servable.infer(request({ x: f32([0, 4], []) }));
    expect(valuesOf(empty.get('total'))).toEqual([0, 0, 0, 0]);
  });
});

describe('custom JavaScript nodes', () => {
  it('runs a node with its params and deinitializes it when the pipeline goes', async () => {
    const servable = await serve({
      name: 'scaled',
      inputs: ['x', 'y'],
      nodes: [
        { ...custom('scale', 'scale'), params: { mode: 'scale', factor: '3' } },
        model('m', 'add', { a: 'scale.out', b: 'request.y' }),
      ],
      outputs: [{ name: 'out', nodeName: 'm', dataItem: 's' }],
    });
    const outputs = await servable.infer(request({ x: X, y: Y }));
    expect(valuesOf(outputs.get('out'))).toEqual([13, 26, 39, 52, 65, 78, 91, 104]);
    const set = instances.at(-1);
    expect(log.filter((line) => line.endsWith('scale'))).toEqual(['initialize scale']);
    await set?.dispose();
    expect(log.filter((line) => line.endsWith('scale'))).toEqual([
      'initialize scale',
      'deinitialize scale',
    ]);
  });
});

/** A model node; inputs as `{ input: 'node.item' }`, the single output `sum` as `s`. */
function model(name: string, modelName: string, inputs: Record<string, string>) {
  return {
    kind: 'model' as const,
    name,
    modelName,
    inputs: Object.entries(inputs).map(([alias, source]) => {
      const [nodeName = '', dataItem = ''] = source.split('.');
      return { alias, nodeName, dataItem };
    }),
    outputs: [{ dataItem: 'sum', alias: 's' }],
  };
}

/** A node of the test-nodes.mjs library in `mode`, reading `in` from `source`. */
function custom(name: string, mode: string, source = 'request.x') {
  const [nodeName = '', dataItem = ''] = source.split('.');
  return {
    kind: 'custom' as const,
    name,
    libraryName: 'nodes',
    params: { mode },
    inputs: [{ alias: 'in', nodeName, dataItem }],
    outputs: [{ dataItem: 'out', alias: 'out' }],
  };
}
