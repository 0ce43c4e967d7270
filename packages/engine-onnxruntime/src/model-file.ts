import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ServingError, StatusCode } from '@ovms/core';

/**
 * The `.onnx` file of a version directory: undefined when there is none, an error naming
 * them when there are several (OVMS serves one model file per version).
 */
export async function findOnnxFile(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const models = names.filter((name) => name.endsWith('.onnx')).sort();
  if (models.length > 1) {
    throw new ServingError(
      StatusCode.MODEL_FILE_INVALID,
      `version directory ${dir} holds several ONNX models (${models.join(', ')}); keep one`,
    );
  }
  const [model] = models;
  return model === undefined ? undefined : join(dir, model);
}
