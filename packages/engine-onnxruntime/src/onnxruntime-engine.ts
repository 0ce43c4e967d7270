import {
  ServingError,
  StatusCode,
  RequestQueue,
  resolveAnonymousInput,
  type Engine,
  type LoadedModel,
  type ModelLoadOptions,
} from '@ovms/core';
import { findOnnxFile } from './model-file.js';
import { checkLayouts, resolveInputs, specsFromMetadata } from './model-specs.js';
import { OnnxRuntimeModel } from './onnxruntime-model.js';
import { OrtWorkerPool } from './ort-worker-pool.js';
import { sessionOptionsFromPluginConfig } from './session-options.js';

export interface OnnxRuntimeEngineOptions {
  /** Requests that may wait per model when all its infer requests are busy; default 1024. */
  readonly maxQueuedRequests?: number;
}

const DEFAULT_MAX_QUEUED = 1024;
const SUPPORTED_DEVICES = ['CPU'];

/**
 * ONNX models through onnxruntime-node on CPU. Inference runs on worker threads, never on the
 * event loop (onnxruntime-node's `session.run` is synchronous native work): each loaded model
 * owns `nireq` threads, each with its own InferenceSession from the same file and options.
 * `nireq` 0 or unset means 1, since ORT already parallelises one run over `intraOpNumThreads`;
 * with more, consider `INFERENCE_NUM_THREADS` ≈ cores / nireq so the threads do not compete.
 * `cacheDir` is ignored: ORT has no compiled-model cache.
 */
export function createOnnxRuntimeEngine(options: OnnxRuntimeEngineOptions = {}): Engine {
  const maxQueued = options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED;
  return {
    name: 'onnxruntime',
    canLoad: async (dir) => (await findOnnxFile(dir)) !== undefined,
    load: (dir, loadOptions) => loadModel(dir, loadOptions, maxQueued),
  };
}

async function loadModel(
  dir: string,
  options: ModelLoadOptions,
  maxQueued: number,
): Promise<LoadedModel> {
  const device = options.targetDevice ?? 'CPU';
  if (!SUPPORTED_DEVICES.includes(device)) {
    throw new ServingError(
      StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE,
      `target device ${device} is not supported by onnxruntime engine; supported: ${SUPPORTED_DEVICES.join(', ')}`,
    );
  }
  const nireq = options.nireq ?? 0;
  if (!Number.isSafeInteger(nireq) || nireq < 0) {
    throw new ServingError(
      StatusCode.INVALID_ARGUMENT,
      `nireq must be a non-negative integer; actual: ${nireq}`,
    );
  }
  const sessionOptions = sessionOptionsFromPluginConfig(options.pluginConfig);
  const file = await findOnnxFile(dir);
  if (file === undefined) {
    throw new ServingError(StatusCode.MODEL_FILE_INVALID, `no .onnx model file in ${dir}`);
  }

  const size = Math.max(nireq, 1);
  const pool = await OrtWorkerPool.start({ file, sessionOptions, size });
  try {
    const modelInputs = specsFromMetadata(pool.metadata.inputs, file);
    const outputs = specsFromMetadata(pool.metadata.outputs, file);
    const resolved = resolveAnonymousInput(
      options,
      modelInputs.map((input) => input.name),
    );
    const { inputs } = resolveInputs(modelInputs, resolved);
    checkLayouts(resolved.layout ?? {}, [...modelInputs, ...outputs]);
    const queue = new RequestQueue({ concurrency: size, maxQueued });
    return new OnnxRuntimeModel({ pool, file, inputs, outputs, queue, nireq: size });
  } catch (error) {
    await pool.close();
    throw error;
  }
}
