import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The model files OpenVINO reads from a version directory. */
export type ModelFiles =
  | { readonly format: 'ir'; readonly model: string; readonly weights: string }
  | { readonly format: 'onnx'; readonly model: string };

/**
 * Finds an IR pair (`x.xml` + `x.bin`, any stem) or else an `.onnx` file directly in `dir`,
 * taking the first by name when there are several, as OVMS takes the first it finds.
 */
export async function findModelFiles(dir: string): Promise<ModelFiles | undefined> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  } catch {
    return undefined;
  }
  names.sort();
  const present = new Set(names);
  for (const name of names) {
    if (!name.endsWith('.xml')) continue;
    const bin = `${name.slice(0, -'.xml'.length)}.bin`;
    if (present.has(bin)) return { format: 'ir', model: join(dir, name), weights: join(dir, bin) };
  }
  const onnx = names.find((name) => name.endsWith('.onnx'));
  return onnx === undefined ? undefined : { format: 'onnx', model: join(dir, onnx) };
}
