import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ocrPipelineConfig } from '@ovms/demo-ocr';
import { writeFixtureModel } from '@ovms/testing';

/** A JS custom node (plain .mjs): `out` = `in` × the `factor` param, FP32 (-1,4). */
const SCALE_NODE = `
const f32 = (name) => ({ name, dtype: 'FP32', shape: [-1, 4] });
export function initialize(params) {
  return { factor: Number(params.factor ?? '1') };
}
export const getInputsInfo = () => [f32('in')];
export const getOutputsInfo = () => [f32('out')];
export function execute(inputs, params, state) {
  const input = inputs.get('in');
  const values = new Float32Array(input.data.slice().buffer);
  for (let i = 0; i < values.length; i++) values[i] *= state.factor;
  return new Map([['out', { dtype: 'FP32', shape: input.shape, data: new Uint8Array(values.buffer) }]]);
}
`;

const from = (node: string, item: string) => ({ node_name: node, data_item: item });

/** Pipeline `name`: (a + b) through model `add`, then × `factor` through the JS node. */
export function scaledSum(name: string, factor: number): object {
  return {
    name,
    inputs: ['a', 'b'],
    nodes: [
      {
        name: 'sum',
        type: 'DL model',
        model_name: 'add',
        inputs: [{ a: from('request', 'a') }, { b: from('request', 'b') }],
        outputs: [{ data_item: 'sum', alias: 'sum' }],
      },
      {
        name: 'scale',
        type: 'custom',
        library_name: 'scale_lib',
        params: { factor: String(factor) },
        inputs: [{ in: from('sum', 'sum') }],
        outputs: [{ data_item: 'out', alias: 'out' }],
      },
    ],
    outputs: [{ result: from('scale', 'out') }],
  };
}

export interface PipelineRepository {
  readonly root: string;
  readonly configPath: string;
  /** Rewrites config.json: with or without model `add`, and the pipelines given. */
  write(options: { readonly add: boolean; readonly pipelines: readonly object[] }): Promise<void>;
}

/**
 * A repository serving model `add` (ONNX a + b), the OCR demo's models, the JS node
 * `scale_lib`, the OCR node libraries, pipeline `add_scaled` (factor 2) and the OCR pipelines.
 */
export async function writePipelineRepository(): Promise<PipelineRepository> {
  const root = await mkdtemp(join(tmpdir(), 'ovms-pipelines-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFile(join(root, 'scale.mjs'), SCALE_NODE);
  const ocr = ocrPipelineConfig();
  const configPath = join(root, 'config.json');
  const write: PipelineRepository['write'] = async ({ add, pipelines }) => {
    const config = {
      model_config_list: [
        ...(add ? [{ config: { name: 'add', base_path: 'add' } }] : []),
        ...ocr.model_config_list,
      ],
      custom_node_library_config_list: [
        { name: 'scale_lib', base_path: 'scale.mjs' },
        ...ocr.custom_node_library_config_list,
      ],
      pipeline_config_list: [...pipelines, ...ocr.pipeline_config_list],
    };
    await writeFile(configPath, JSON.stringify(config, null, 1));
  };
  await write({ add: true, pipelines: [scaledSum('add_scaled', 2)] });
  return { root, configPath, write };
}
