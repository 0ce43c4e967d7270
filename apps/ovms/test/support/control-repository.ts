import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureModel } from '@ovms/testing';

/**
 * A Triton-style model repository (`--model_repository_path`): `add` (a + b, FP32 (-1,4),
 * output `sum`, versions 1 and 2) and `fixed` (x + [1,2,3], (1,3), output `y`), plus what is
 * not a model: a file and a hidden folder.
 */
export async function writeControlRepository(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ovms-control-'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '1'));
  await writeFixtureModel('add_f32', 'onnx', join(root, 'add', '2'));
  await writeFixtureModel('fixed_shape', 'onnx', join(root, 'fixed', '1'));
  await writeFile(join(root, 'notes.txt'), 'not a model');
  await mkdir(join(root, '.staging'), { recursive: true });
  return root;
}

/** The flags of an `ovms` serving `root` as a model repository in `mode`. */
export function controlArgs(root: string, mode: 'explicit' | 'none'): string[] {
  return [
    ...['--model_repository_path', root, '--model_control_mode', mode],
    ...['--file_system_poll_wait_seconds', '0'],
  ];
}
