import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOnnxModel } from '@ovms/testing';
import type { FixtureDim } from '@ovms/testing';
import sharp, { type Sharp } from 'sharp';

// Models and images for the binary image input tests (SPEC.md "Binary image inputs").

export const H = 4;
export const W = 6;

/** y = x + 0 on FP32 of `dims`: the decoded tensor comes back as it reached the model. */
export async function writeIdentity(dir: string, dims: readonly FixtureDim[]): Promise<void> {
  const model = encodeOnnxModel('identity', {
    inputs: [{ name: 'x', dtype: 'FP32', dims }],
    outputs: [{ name: 'y', dtype: 'FP32', dims }],
    constants: [{ name: 'zero', dtype: 'FP32', dims: [1], values: [0] }],
    nodes: [{ op: 'Add', inputs: ['x', 'zero'], output: 'y' }],
  });
  await writeFile(join(dir, 'model.onnx'), model);
}

const from = (node: string, item: string) => ({ node_name: node, data_item: item });

/**
 * - `image`: FP32 (1,4,6,3), no layout (N...HWC assumed); `gray`: (1,4,6,1);
 * - `nchw`: FP32 (1,3,4,6) served with layout NHWC:NCHW; `nchw_plain`: the same model as it is;
 *   `nchw_declared`: the same with layout NCHW;
 * - `dynamic`: FP32 (-1,-1,-1,3); pipeline `image_pipeline`: `image` as its one DL node.
 */
export async function writeImageRepository(): Promise<{ root: string; configPath: string }> {
  const root = await mkdtemp(join(tmpdir(), 'ovms-images-'));
  const models: [string, FixtureDim[]][] = [
    ['image', [1, H, W, 3]],
    ['gray', [1, H, W, 1]],
    ['nchw', [1, 3, H, W]],
    ['dynamic', ['n', 'h', 'w', 3]],
  ];
  for (const [name, dims] of models) {
    const dir = join(root, name, '1');
    await mkdir(dir, { recursive: true });
    await writeIdentity(dir, dims);
  }
  const config = {
    model_config_list: [
      { config: { name: 'image', base_path: 'image' } },
      { config: { name: 'gray', base_path: 'gray' } },
      { config: { name: 'nchw', base_path: 'nchw', layout: 'NHWC:NCHW' } },
      { config: { name: 'nchw_plain', base_path: 'nchw' } },
      { config: { name: 'nchw_declared', base_path: 'nchw', layout: 'NCHW' } },
      { config: { name: 'dynamic', base_path: 'dynamic' } },
    ],
    pipeline_config_list: [
      {
        name: 'image_pipeline',
        inputs: ['img'],
        nodes: [
          {
            name: 'identity',
            type: 'DL model',
            model_name: 'image',
            inputs: [{ x: from('request', 'img') }],
            outputs: [{ data_item: 'y', alias: 'pixels' }],
          },
        ],
        outputs: [{ out: from('identity', 'pixels') }],
      },
    ],
  };
  const configPath = join(root, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  return { root, configPath };
}

const RED = [255, 0, 0];
const BLUE = [0, 0, 255];

/** 12×8: the left half red, the right half blue; the models take it at 6×4. */
export function halves(): Sharp {
  const pixels = Array.from({ length: 96 }, (_, index) => (index % 12 < 6 ? RED : BLUE));
  return sharp(Buffer.from(pixels.flat()), { raw: { width: 12, height: 8, channels: 3 } });
}
