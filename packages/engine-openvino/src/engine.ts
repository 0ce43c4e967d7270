import {
  MODEL_FILE_PATTERNS,
  ServingError,
  StatusCode,
  findModelFiles,
  type Engine,
  type LoadedModel,
  type Logger,
  type ModelLoadOptions,
} from '@ovms/core';
import type { OvBinding, OvModel } from './binding.js';
import { createCApiBinding } from './c-api/binding.js';
import {
  buildGeneration,
  retireGeneration,
  type Generation,
  type GenerationOptions,
} from './generation.js';
import { DEFAULT_PLACEMENT_LIMITS, type PlacementLimits } from './infer-placement.js';
import { checkDevice, planLoad } from './load-options.js';
import { locateOpenvinoLibDir } from './locate.js';
import { tryCreateNodeBinding } from './node-binding.js';
import { messageOf } from './openvino-error.js';
import { OpenvinoLoadedModel } from './openvino-model.js';
import {
  DEFAULT_THREAD_CHOICE,
  fastestInferUs,
  oneThreadWins,
  threadChoiceApplies,
  type ThreadChoiceLimits,
} from './thread-choice.js';

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
  /**
   * How a tiny CPU model is given one inference thread (thread-choice.ts); `false` keeps
   * OpenVINO's default for every model. A threading key in plugin_config always wins.
   */
  readonly threadChoice?: Partial<ThreadChoiceLimits> | false;
  /** Where the thread choice is logged (the server's logger). */
  readonly logger?: Logger;
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
        return await prepare(model, dir, loadOptions, device, options);
      } catch (error) {
        model.free();
        throw error;
      }
    },
  };
}

async function prepare(
  model: OvModel,
  dir: string,
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
    const chosen = await chooseThreads(model, dir, first, generationOptions, options);
    return new OpenvinoLoadedModel(model, chosen.generation, chosen.options);
  } catch (error) {
    if (error instanceof ServingError) throw error;
    throw new ServingError(StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE, messageOf(error), {
      cause: error,
    });
  }
}

interface Chosen {
  readonly generation: Generation;
  /** What later generations (reshapes) are built with: the chosen threads included. */
  readonly options: GenerationOptions;
}

/**
 * The generation to serve with: `first` (OpenVINO's default threads) or, for a tiny model, the
 * same compiled with one inference thread (thread-choice.ts). Logged either way it is measured.
 */
async function chooseThreads(
  model: OvModel,
  dir: string,
  first: Generation,
  generationOptions: GenerationOptions,
  options: OpenvinoEngineOptions,
): Promise<Chosen> {
  const kept = { generation: first, options: generationOptions };
  if (options.threadChoice === false) return kept;
  const { device, plan } = generationOptions;
  if (!threadChoiceApplies(device, plan.properties, first)) return kept;
  const limits = { ...DEFAULT_THREAD_CHOICE, ...options.threadChoice };
  const defaultUs = await measured(first, limits);
  if (defaultUs === undefined || defaultUs > limits.probeUs) {
    options.logger?.info(
      { path: dir, defaultUs: defaultUs && Math.round(defaultUs) },
      "Model keeps OpenVINO's default inference threads (not tiny)",
    );
    return kept;
  }
  const oneThread = {
    ...generationOptions,
    plan: { ...plan, properties: { ...plan.properties, INFERENCE_NUM_THREADS: '1' } },
  };
  let candidate: Generation;
  try {
    candidate = await buildGeneration(model, oneThread);
  } catch {
    // Serving with the default is always possible; a failed second compile must not fail the load.
    return kept;
  }
  const oneUs = await measured(candidate, limits);
  const wins = oneUs !== undefined && oneThreadWins(defaultUs, oneUs, limits);
  options.logger?.info(
    { path: dir, defaultUs: Math.round(defaultUs), oneThreadUs: oneUs && Math.round(oneUs) },
    wins
      ? 'Tiny model: one inference thread (INFERENCE_NUM_THREADS 1; set it in plugin_config to choose)'
      : "Model keeps OpenVINO's default inference threads (one is slower)",
  );
  if (!wins) {
    await retireGeneration(candidate);
    return kept;
  }
  await retireGeneration(first);
  return { generation: candidate, options: oneThread };
}

/** fastestInferUs, undefined where the model cannot infer zeros (it still serves real requests). */
async function measured(
  generation: Generation,
  limits: ThreadChoiceLimits,
): Promise<number | undefined> {
  try {
    return await fastestInferUs(generation, limits.samples, limits.abortUs);
  } catch {
    return undefined;
  }
}
