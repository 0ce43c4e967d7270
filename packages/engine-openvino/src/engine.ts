import {
  MODEL_FILE_PATTERNS,
  ServingError,
  StatusCode,
  findModelFiles,
  type Engine,
  type LoadedModel,
  type ModelLoadOptions,
} from '@ovms/core';
import type { OvBinding, OvModel } from './binding.js';
import { createCApiBinding } from './c-api/binding.js';
import { buildGeneration } from './generation.js';
import { DEFAULT_PLACEMENT_LIMITS, type PlacementLimits } from './infer-placement.js';
import { checkDevice, planLoad } from './load-options.js';
import { locateOpenvinoLibDir } from './locate.js';
import { tryCreateNodeBinding } from './node-binding.js';
import { messageOf } from './openvino-error.js';
import { OpenvinoLoadedModel } from './openvino-model.js';

export interface OpenvinoEngineOptions {
  /** Folder of `libopenvino_c.so` for the C API binding (the app finds it with locateOpenvinoLibDir). */
  readonly libDir?: string;
  /** `auto` (default): openvino-node when it loads, else the C API. */
  readonly binding?: 'auto' | 'openvino-node' | 'c-api';
  /** Model cache (`--cache_dir`), passed to OpenVINO as CACHE_DIR unless a model sets its own. */
  readonly cacheDir?: string;
  /** Requests that may wait for a free infer request, per model; more get RESOURCE_EXHAUSTED. */
  readonly maxQueuedInfers?: number;
  /**
   * When tiny infers run on the event loop instead of a worker thread (infer-placement.ts);
   * `{ maxInputBytes: 0 }` keeps every infer off the loop.
   */
  readonly inferPlacement?: Partial<PlacementLimits>;
}

const DEFAULT_MAX_QUEUED = 1024;

async function resolveBinding(options: OpenvinoEngineOptions): Promise<OvBinding> {
  const choice = options.binding ?? 'auto';
  if (choice !== 'c-api') {
    const node = await tryCreateNodeBinding();
    if (node !== undefined) return node;
    if (choice === 'openvino-node') throw new Error('openvino-node could not be loaded');
  }
  let libDir = options.libDir;
  if (libDir === undefined) {
    // No environment here: the app passes libDir; this is the no-configuration fallback.
    const location = locateOpenvinoLibDir({ env: {}, cwd: process.cwd() });
    if (!location.found) throw new Error(location.message);
    libDir = location.libDir;
  }
  return createCApiBinding(libDir);
}

/**
 * The OpenVINO engine: loads IR (`*.xml` + `*.bin`), ONNX, TensorFlow (SavedModel, frozen graph),
 * TensorFlow Lite and PaddlePaddle models (core's findModelFiles) from a version directory with
 * OVMS model parameters (shape, batch_size, layout, target_device, plugin_config, nireq,
 * cache_dir). Uses openvino-node where it loads, else the OpenVINO C API through koffi.
 */
export function createOpenvinoEngine(options: OpenvinoEngineOptions = {}): Engine {
  let binding: Promise<OvBinding> | undefined;
  const getBinding = async (): Promise<OvBinding> => {
    binding ??= resolveBinding(options);
    try {
      return await binding;
    } catch (error) {
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `OpenVINO is not available: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  };
  return {
    name: 'openvino',
    async canLoad(dir: string): Promise<boolean> {
      return (await findModelFiles(dir)) !== undefined;
    },
    async load(dir: string, loadOptions: ModelLoadOptions): Promise<LoadedModel> {
      const files = await findModelFiles(dir);
      if (files === undefined) {
        throw new ServingError(
          StatusCode.MODEL_FILE_INVALID,
          `no model files OpenVINO reads (${MODEL_FILE_PATTERNS}) in ${dir}`,
        );
      }
      const ov = await getBinding();
      const device = loadOptions.targetDevice ?? 'CPU';
      checkDevice(device, ov.availableDevices());
      let model: OvModel;
      try {
        model = await ov.readModel(files.model, files.weights);
      } catch (error) {
        throw new ServingError(
          StatusCode.MODEL_FILE_INVALID,
          `cannot read model file ${files.model}: ${messageOf(error)}`,
          { cause: error },
        );
      }
      try {
        return await prepare(model, loadOptions, device, options);
      } catch (error) {
        model.free();
        throw error;
      }
    },
  };
}

async function prepare(
  model: OvModel,
  loadOptions: ModelLoadOptions,
  device: string,
  options: OpenvinoEngineOptions,
): Promise<LoadedModel> {
  const plan = planLoad(loadOptions, model.inputs(), model.outputs(), options.cacheDir);
  if (plan.reshape.size > 0) {
    try {
      model.reshape(plan.reshape);
    } catch (error) {
      throw new ServingError(StatusCode.RESHAPE_ERROR, messageOf(error), { cause: error });
    }
  }
  if (plan.layouts.size > 0) {
    try {
      model.applyLayouts(plan.layouts);
    } catch (error) {
      throw new ServingError(StatusCode.INVALID_ARGUMENT, messageOf(error), { cause: error });
    }
  }
  const generationOptions = {
    device,
    plan,
    nireq: loadOptions.nireq,
    maxQueued: options.maxQueuedInfers ?? DEFAULT_MAX_QUEUED,
    placementLimits: { ...DEFAULT_PLACEMENT_LIMITS, ...options.inferPlacement },
  };
  try {
    const first = await buildGeneration(model, generationOptions);
    return new OpenvinoLoadedModel(model, first, generationOptions);
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw new ServingError(StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE, messageOf(error), {
      cause: error,
    });
  }
}
