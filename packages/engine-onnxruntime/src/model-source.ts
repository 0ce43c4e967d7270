import { readFile } from 'node:fs/promises';
import { ServingError, StatusCode, type ModelLoadOptions } from '@ovms/core';
import { planLoad, type LoadPlan } from './load-plan.js';
import {
  decodeModel,
  graphInputs,
  graphOutputNames,
  rewriteModel,
  valueNames,
} from './onnx-graph.js';

/** How the worker threads get the model, and the plan for its inputs when options asked for one. */
export interface PreparedModel {
  /** Undefined when no `shape`, `batch_size` or `layout` was given: the file serves as it is. */
  readonly plan: LoadPlan | undefined;
  /** The rewritten ModelProto, produced on demand (see OrtWorkerPoolOptions.bytes). */
  readonly bytes: (() => Promise<Uint8Array>) | undefined;
}

function unreadable(file: string, error: unknown): ServingError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ServingError(StatusCode.MODEL_FILE_INVALID, `cannot load ${file}: ${reason}`);
}

async function readModel(file: string) {
  try {
    return decodeModel(await readFile(file));
  } catch (error) {
    throw unreadable(file, error);
  }
}

/**
 * Reads the model when OVMS `shape`, `batch_size` or `layout` ask for something and plans
 * it. A model the plan changes is rewritten in memory for ORT to load from bytes; its
 * external data files still load, from the model's directory (ORT's
 * `session.model_external_initializers_file_folder_path`). The first rewrite reuses the
 * decoded model; later ones (a crashed thread's replacement) read the file again.
 */
export async function prepareModel(
  file: string,
  options: Pick<ModelLoadOptions, 'shape' | 'batchSize' | 'layout'>,
): Promise<PreparedModel> {
  if (
    options.shape === undefined &&
    options.batchSize === undefined &&
    options.layout === undefined
  ) {
    return { plan: undefined, bytes: undefined };
  }
  let decoded: ReturnType<typeof decodeModel> | undefined = await readModel(file);
  const plan = planLoad(
    graphInputs(decoded),
    graphOutputNames(decoded),
    options,
    valueNames(decoded),
  );
  if (plan.rewrites.length === 0) return { plan, bytes: undefined };
  const bytes = async () => {
    const model = decoded ?? (await readModel(file));
    decoded = undefined;
    return rewriteModel(model, plan.rewrites, plan.reshaped);
  };
  return { plan, bytes };
}
