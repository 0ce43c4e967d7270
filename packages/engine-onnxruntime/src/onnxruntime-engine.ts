import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import {
  ServingError,
  StatusCode,
  RequestQueue,
  findModelFiles,
  formatName,
  createNumericTensor,
  DATA_TYPES,
  type Engine,
  type LoadedModel,
  type ModelLoadOptions,
  type TensorMap,
} from '@ovms/core';
import type { InlineLimits } from './inline-placement.js';
import { DEFAULT_INLINE_LIMITS, InlinePlacement } from './inline-placement.js';
import { InlineSession } from './inline-session.js';
import { parseAutoDimName, planLoad, type LoadPlan } from './load-plan.js';
import { prepareModel, type PreparedModel } from './model-source.js';
import { specsFromMetadata } from './model-specs.js';
import { OnnxRuntimeModel } from './onnxruntime-model.js';
import { OrtWorkerPool } from './ort-worker-pool.js';
import type { SessionMetadata } from './ort-worker-thread.js';
import { toWire } from './ort-tensors.js';
import { ServedShapes, type OutputDim } from './served-shapes.js';
import { sessionOptionsFromPluginConfig, shareCores } from './session-options.js';

export interface OnnxRuntimeEngineOptions {
  /** Requests that may wait per model when all its infer requests are busy; default 1024. */
  readonly maxQueuedRequests?: number;
  /**
   * Models whose version directory (model and external data) holds at most this many bytes
   * also get a session on the event loop for tiny runs; 0 turns that off. Default 1 MiB: that
   * session is a second copy of the weights.
   */
  readonly inlineMaxModelBytes?: number;
  /** When requests move to the inline session and back (over DEFAULT_INLINE_LIMITS). */
  readonly inlineLimits?: Partial<InlineLimits>;
}

const DEFAULT_MAX_QUEUED = 1024;
const DEFAULT_INLINE_MAX_MODEL_BYTES = 1024 * 1024;
const SUPPORTED_DEVICES = ['CPU'];

/**
 * ONNX models through onnxruntime-node on CPU. Inference runs on worker threads, not on the
 * event loop (onnxruntime-node's `session.run` is synchronous native work): each loaded model
 * owns `nireq` threads, each with its own InferenceSession from the same model and options.
 * The exception is a small model whose runs are measured to be shorter than the hop to a
 * worker: it also gets a session on the event loop for them (InlineSession, InlinePlacement).
 * `nireq` 0 or unset means 1, since ORT already parallelises one run over `intraOpNumThreads`;
 * unless plugin_config sets that, each session gets cores / nireq of them (at least one), so
 * the sessions' threads do not compete for the cores (shareCores).
 * OVMS `shape`, `batch_size` and `layout` rewrite the ModelProto before the sessions are
 * created (see planLoad). `cacheDir` is ignored: ORT has no compiled-model cache.
 */
export function createOnnxRuntimeEngine(options: OnnxRuntimeEngineOptions = {}): Engine {
  const settings: EngineSettings = {
    maxQueued: options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED,
    inlineMaxModelBytes: options.inlineMaxModelBytes ?? DEFAULT_INLINE_MAX_MODEL_BYTES,
    inlineLimits: { ...DEFAULT_INLINE_LIMITS, ...options.inlineLimits },
  };
  return {
    name: 'onnxruntime',
    canLoad: async (dir) => (await findModelFiles(dir))?.format === 'onnx',
    load: (dir, loadOptions) => loadModel(dir, loadOptions, settings),
  };
}

interface EngineSettings {
  readonly maxQueued: number;
  readonly inlineMaxModelBytes: number;
  readonly inlineLimits: InlineLimits;
}

async function loadModel(
  dir: string,
  options: ModelLoadOptions,
  settings: EngineSettings,
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
  // The rule every engine shares: several models in the directory, of any format, are an error.
  const files = await findModelFiles(dir);
  if (files?.format !== 'onnx') {
    const other =
      files === undefined
        ? ''
        : `: it holds a ${formatName(files.format)} model, which onnxruntime does not read`;
    throw new ServingError(StatusCode.MODEL_FILE_INVALID, `no .onnx model file in ${dir}${other}`);
  }
  const file = files.model;

  const prepared = await prepareModel(file, options);
  const size = Math.max(nireq, 1);
  const pool = await startPool(file, prepared, shareCores(sessionOptions, size), size);
  let inline: InlineSession | undefined;
  try {
    const plan = prepared.plan ?? planFromMetadata(pool.metadata);
    const shapes = servedShapes(plan, pool.metadata, file);
    if (plan.probe) await probe(pool, shapes);
    if (await inlineEligible(dir, pool.metadata, settings.inlineMaxModelBytes)) {
      inline = await openInline(file, prepared, sessionOptions);
    }
    const queue = new RequestQueue({ concurrency: size, maxQueued: settings.maxQueued });
    const placement = new InlinePlacement(settings.inlineLimits);
    return new OnnxRuntimeModel({ pool, file, shapes, queue, nireq: size, inline, placement });
  } catch (error) {
    await Promise.all([pool.close(), inline?.close()]);
    throw error;
  }
}

/**
 * A session on the event loop only for small models (it is a second copy of the weights) and
 * none with float16 tensors: onnxruntime-node 1.30 reads no Float16Array, which Node 24 has on
 * this thread (the workers hide the class; the server's thread must keep it).
 */
async function inlineEligible(
  dir: string,
  metadata: SessionMetadata,
  maxModelBytes: number,
): Promise<boolean> {
  if (maxModelBytes <= 0) return false;
  const values = [...metadata.inputs, ...metadata.outputs];
  if (values.some((value) => !value.isTensor || value.type === 'float16')) return false;
  let total = 0;
  // stat, not the directory entry: a model file may be a symlink to its weights.
  for (const name of await readdir(dir)) {
    const info = await stat(join(dir, name));
    if (info.isFile()) total += info.size;
    if (total > maxModelBytes) return false;
  }
  return true;
}

/** The same model and options as the workers' (a rewritten model from the same bytes). */
async function openInline(
  file: string,
  prepared: PreparedModel,
  sessionOptions: InferenceSession.SessionOptions,
): Promise<InlineSession> {
  if (prepared.bytes === undefined) return InlineSession.open(file, sessionOptions);
  return InlineSession.open(await prepared.bytes(), fromBytesOptions(file, sessionOptions));
}

function fromBytesOptions(
  file: string,
  sessionOptions: InferenceSession.SessionOptions,
): InferenceSession.SessionOptions {
  return {
    ...sessionOptions,
    extra: { session: { model_external_initializers_file_folder_path: dirname(file) } },
  };
}

/**
 * A rewritten model loads from bytes, its external data from the model's directory. A session
 * that cannot be created for changed input dims is RESHAPE_ERROR with ORT's reason.
 */
async function startPool(
  file: string,
  prepared: PreparedModel,
  sessionOptions: InferenceSession.SessionOptions,
  size: number,
): Promise<OrtWorkerPool> {
  if (prepared.bytes === undefined) return OrtWorkerPool.start({ file, sessionOptions, size });
  const fromBytes = fromBytesOptions(file, sessionOptions);
  try {
    return await OrtWorkerPool.start({
      file,
      bytes: prepared.bytes,
      sessionOptions: fromBytes,
      size,
    });
  } catch (error) {
    if (prepared.plan?.reshaped === true && error instanceof ServingError) {
      throw new ServingError(StatusCode.RESHAPE_ERROR, error.detail ?? error.message, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The plan of a model served as it is: its own dims, batch on the first. */
function planFromMetadata(metadata: SessionMetadata): LoadPlan {
  const inputs = metadata.inputs.map((value) => ({
    name: value.name,
    dims: value.isTensor
      ? value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : ''))
      : [],
  }));
  return planLoad(inputs, [], {}, new Set());
}

function servedShapes(plan: LoadPlan, metadata: SessionMetadata, file: string): ServedShapes {
  const types = specsFromMetadata(metadata.inputs, file);
  const served = plan.inputs.map((input) => {
    const dtype = types.find((spec) => spec.name === input.feedName)?.dtype;
    if (dtype === undefined) {
      throw new ServingError(
        StatusCode.INTERNAL_ERROR,
        `session of ${file} has no input ${input.feedName}`,
      );
    }
    const { name, shape, dimRanges, batchDim, autoDims, layout } = input;
    return {
      spec: {
        name,
        dtype,
        shape,
        ...(dimRanges !== undefined && { dimRanges }),
        ...(batchDim !== undefined && { batchDim }),
        ...(autoDims !== undefined && { autoDims }),
        ...(layout !== undefined && { layout }),
      },
      feedName: input.feedName,
      tracked: input.tracked,
    };
  });
  const outputs = specsFromMetadata(metadata.outputs, file).map((spec, index) => {
    const value = metadata.outputs[index];
    const dims: OutputDim[] = spec.shape.map((dim, axis) => {
      const symbol = value?.isTensor === true ? value.shape[axis] : undefined;
      const auto = typeof symbol === 'string' ? parseAutoDimName(symbol) : undefined;
      return auto === undefined ? dim : { input: auto.index, axis: auto.axis };
    });
    return { name: spec.name, dtype: spec.dtype, dims };
  });
  return new ServedShapes(served, outputs);
}

/**
 * One run on zeros of the fixed shapes: a graph that cannot take them fails here, at load,
 * as an OpenVINO reshape would, rather than on every request.
 */
async function probe(pool: OrtWorkerPool, shapes: ServedShapes): Promise<void> {
  const inputs: TensorMap = new Map();
  for (const spec of shapes.inputs) {
    if (spec.dtype === 'BYTES') return;
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    const zeros = new Uint8Array(count * DATA_TYPES[spec.dtype].byteSize);
    inputs.set(spec.name, createNumericTensor(spec.dtype, spec.shape, zeros));
  }
  const { tensors, transfer } = toWire(inputs, shapes.feedNames);
  try {
    await pool.run(tensors, transfer);
  } catch (error) {
    const reason = error instanceof ServingError ? (error.detail ?? error.message) : String(error);
    throw new ServingError(
      StatusCode.RESHAPE_ERROR,
      `onnxruntime cannot run the model with the requested shapes: ${reason}`,
      { cause: error },
    );
  }
}
