import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ServingError, StatusCode } from './status.js';

// Which model a version directory holds, by one rule for every engine (SPEC "Model
// repository"): an engine serves the formats it reads and finds several models an error alike.

/** The model formats of a version directory (OpenVINO reads them all, onnxruntime ONNX). */
export type ModelFormat = 'ir' | 'onnx' | 'saved-model' | 'frozen-graph' | 'tflite' | 'paddle';

/**
 * The model of a version directory: `model` is what OpenVINO's read_model takes (the
 * directory itself for a SavedModel), `weights` the IR `.bin` (Paddle finds its `.pdiparams`
 * beside the `.pdmodel` by itself).
 */
export interface ModelFiles {
  readonly format: ModelFormat;
  readonly model: string;
  readonly weights?: string;
}

const FORMAT_NAMES: Readonly<Record<ModelFormat, string>> = {
  ir: 'OpenVINO IR',
  onnx: 'ONNX',
  'saved-model': 'TensorFlow SavedModel',
  'frozen-graph': 'TensorFlow frozen graph',
  tflite: 'TensorFlow Lite',
  paddle: 'PaddlePaddle',
};

/** The name a message gives a format, e.g. "TensorFlow Lite". */
export function formatName(format: ModelFormat): string {
  return FORMAT_NAMES[format];
}

/** The detection rules, for messages. */
export const MODEL_FILE_PATTERNS =
  '*.xml with *.bin, *.onnx, saved_model.pb with variables/, *.pb, *.tflite, *.pdmodel with *.pdiparams';

interface Candidate {
  readonly files: ModelFiles;
  /** What the error for several models lists. */
  readonly label: string;
}

function stemPairs(
  files: readonly string[],
  modelExt: string,
  weightsExt: string,
): [string, string][] {
  const present = new Set(files);
  return files
    .filter((name) => name.endsWith(modelExt))
    .map((name): [string, string] => [name, `${name.slice(0, -modelExt.length)}${weightsExt}`])
    .filter(([, weights]) => present.has(weights));
}

function candidates(dir: string, entries: readonly Dirent[]): Candidate[] {
  const names = entries
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => e.name)
    .sort();
  const found: Candidate[] = [];
  for (const [xml, bin] of stemPairs(names, '.xml', '.bin')) {
    const files: ModelFiles = { format: 'ir', model: join(dir, xml), weights: join(dir, bin) };
    found.push({ files, label: xml });
  }
  for (const name of names.filter((n) => n.endsWith('.onnx'))) {
    found.push({ files: { format: 'onnx', model: join(dir, name) }, label: name });
  }
  // A SavedModel is the whole directory; its other .pb files (fingerprint.pb,
  // keras_metadata.pb) belong to it and are not frozen graphs.
  const savedModel =
    names.includes('saved_model.pb') &&
    entries.some((e) => e.name === 'variables' && (e.isDirectory() || e.isSymbolicLink()));
  if (savedModel) {
    found.push({
      files: { format: 'saved-model', model: dir },
      label: 'saved_model.pb + variables/',
    });
  } else {
    for (const name of names.filter((n) => n.endsWith('.pb'))) {
      found.push({ files: { format: 'frozen-graph', model: join(dir, name) }, label: name });
    }
  }
  for (const name of names.filter((n) => n.endsWith('.tflite'))) {
    found.push({ files: { format: 'tflite', model: join(dir, name) }, label: name });
  }
  for (const [pdmodel, pdiparams] of stemPairs(names, '.pdmodel', '.pdiparams')) {
    const files: ModelFiles = { format: 'paddle', model: join(dir, pdmodel) };
    found.push({ files, label: `${pdmodel} + ${pdiparams}` });
  }
  return found;
}

/**
 * The model in version directory `dir`: an IR pair (`x.xml` + `x.bin`), `*.onnx`, a TensorFlow
 * SavedModel (`saved_model.pb` + `variables/`), a frozen graph (`*.pb`), `*.tflite`, or a
 * Paddle pair (`x.pdmodel` + `x.pdiparams`). Undefined when there is none; several are an
 * error naming them (SPEC), for every format alike, rather than a silent pick by name.
 */
export async function findModelFiles(dir: string): Promise<ModelFiles | undefined> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const found = candidates(dir, entries);
  if (found.length > 1) {
    const labels = found.map((c) => c.label).join(', ');
    throw new ServingError(
      StatusCode.MODEL_FILE_INVALID,
      `version directory ${dir} holds several models (${labels}); keep one`,
    );
  }
  return found[0]?.files;
}
