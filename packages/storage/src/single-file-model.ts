import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { describeFsError, storagePathError } from './storage-errors.js';

/**
 * Model file extensions that can be served straight from a base_path (IR xml, ONNX, and GGUF
 * for text generation, which OVMS serves from the file itself).
 */
export const SINGLE_FILE_MODEL_EXTENSIONS: readonly string[] = ['.onnx', '.xml', '.gguf'];

/**
 * Whether a local directory is an OpenVINO GenAI model folder (`openvino_model.xml` beside
 * `openvino_tokenizer.xml`): OVMS serves such an LLM folder as it is, without version folders.
 */
export async function isGenaiModelFolder(dir: string): Promise<boolean> {
  const isFile = (name: string) =>
    stat(join(dir, name)).then(
      (info) => info.isFile(),
      () => false,
    );
  return (await isFile('openvino_tokenizer.xml')) && (await isFile('openvino_model.xml'));
}

/** A base_path naming one model file, served as version 1 (SPEC "Model repository"). */
export interface SingleFileModel {
  readonly version: 1;
  /** Absolute path of the model file. */
  readonly file: string;
  /** Its directory (an IR `.xml` finds its `.bin` beside it). */
  readonly directory: string;
}

/**
 * Tells whether a local `basePath` is a single model file rather than a repository directory.
 * Undefined for a directory (the usual `<base_path>/<version>/` layout); a file without a model
 * extension or a missing path is an error naming the path.
 */
export async function detectSingleFileModel(
  basePath: string,
): Promise<SingleFileModel | undefined> {
  let info;
  try {
    info = await stat(basePath);
  } catch (error) {
    throw storagePathError(describeFsError(basePath, error), error);
  }
  if (info.isDirectory()) return undefined;
  const extension = extname(basePath).toLowerCase();
  if (!info.isFile() || !SINGLE_FILE_MODEL_EXTENSIONS.includes(extension))
    throw storagePathError(
      `not a model directory or model file (${SINGLE_FILE_MODEL_EXTENSIONS.join(', ')}): ${basePath}`,
    );
  const file = resolve(basePath);
  return { version: 1, file, directory: dirname(file) };
}
