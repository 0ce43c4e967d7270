import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateOpenvinoLibDir } from '@ovms/engine-openvino';
import { writeFixtureModel } from '@ovms/testing';
import { PROJECT_ROOT } from './paths.js';

/** Whether the OpenVINO runtime is installed here (IR models load only then). */
export const OPENVINO_FOUND = locateOpenvinoLibDir({ env: process.env, cwd: PROJECT_ROOT }).found;

/**
 * The test repository, by model name:
 * - `add`: a + b (FP32, (-1,4), output `sum`), versions 1 and 2, policy all;
 * - `fixed`: x + [1,2,3] with a fixed shape (1,3), output `y`;
 * - `two`: sum and diff of a and b (FP32, (-1,3));
 * - `single`: `fixed` again, from a base_path naming one .onnx file (served as version 1);
 * - `add_ir`: `add` as OpenVINO IR, only when OpenVINO is found.
 */
export async function writeTestRepository(): Promise<{ root: string; configPath: string }> {
  const root = await mkdtemp(join(tmpdir(), 'ovms-e2e-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '2'));
  await writeFixtureModel('fixed_shape', 'onnx', join(root, 'fixed', '1'));
  await writeFixtureModel('two_in_two_out', 'onnx', join(root, 'two', '1'));
  await writeFixtureModel('fixed_shape', 'onnx', join(root, 'files'));
  if (OPENVINO_FOUND) await writeFixtureModel('add_f32', 'ir', join(root, 'add_ir', '1'));
  const models = [
    { name: 'add', base_path: 'add', model_version_policy: { all: {} } },
    { name: 'fixed', base_path: 'fixed' },
    { name: 'two', base_path: 'two' },
    { name: 'single', base_path: 'files/model.onnx' },
    ...(OPENVINO_FOUND ? [{ name: 'add_ir', base_path: 'add_ir' }] : []),
  ];
  const configPath = join(root, 'config.json');
  await writeConfig(configPath, models);
  await mkdir(join(root, 'empty'), { recursive: true });
  return { root, configPath };
}

export async function writeConfig(path: string, models: readonly object[]): Promise<void> {
  const config = {
    model_config_list: models.map((config) => ({ config })),
    monitoring: { metrics: { enable: true } },
  };
  await writeFile(path, JSON.stringify(config, null, 1));
}
