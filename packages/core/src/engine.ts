import type { DataType } from './data-type.js';
import type { TensorMap } from './tensor.js';
import type { TextGenerator } from './text-generation.js';

/** Name, dtype and shape of a model input or output; -1 marks a dynamic dimension. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DataType;
  readonly shape: readonly number[];
}

/** An OVMS shape range `min:max` (`100:200`): the dim takes any size from min to max, both included. */
export interface DimRange {
  readonly min: number;
  readonly max: number;
}

/** A dim as configured: a size, -1 for any size, or a range. */
export type ShapeDim = number | DimRange;

/**
 * A model input as requests are checked against it now: after an `auto` reshape it reports the
 * shape the model has taken, as OVMS metadata does.
 */
export interface InputSpec extends TensorSpec {
  /**
   * Index of the batch dimension (the layout's `N`, else 0): a mismatch there is reported as
   * INVALID_BATCH_SIZE, as OVMS does, rather than INVALID_SHAPE. Absent: no batch dimension.
   */
  readonly batchDim?: number;
  /**
   * Dims that follow each request (OVMS `auto`): 'all' for `shape: auto` (every dim; the rank
   * stays, unless the model's rank is dynamic: shape [] with 'all'), the batch dim for
   * `batch_size: auto`. Requests may take any size there; the engine adapts.
   */
  readonly autoDims?: 'all' | readonly number[];
  /**
   * Bounds of the dims configured as ranges (`--shape "(1,100:200)"`), index for index with
   * `shape`, which holds -1 there (what metadata shows, as in OVMS); absent when no dim is
   * bounded. Requests outside a range are refused; images are resized to its nearest bound.
   */
  readonly dimRanges?: readonly (DimRange | undefined)[];
  /**
   * The layout clients send (the tensor side of an OVMS `layout`, e.g. `NHWC` of `NHWC:NCHW`);
   * absent when none was configured. Binary image inputs need it `N...HWC` or absent.
   */
  readonly layout?: string;
}

/**
 * Turns binary (BYTES) inputs sent to numeric inputs into tensors the model takes, such as
 * JPEG/PNG images decoded to NHWC (SPEC.md "Binary image inputs"). Injected so that core stays
 * free of image codecs; returns `inputs` itself when it has nothing to do.
 */
export type BinaryInputDecoder = (
  specs: readonly InputSpec[],
  inputs: TensorMap,
  signal?: AbortSignal,
) => Promise<TensorMap>;

/** Whether some BYTES input is sent to an input that is not BYTES: the decoder's work. */
export function hasBinaryInputs(specs: readonly InputSpec[], inputs: TensorMap): boolean {
  return specs.some((spec) => spec.dtype !== 'BYTES' && inputs.get(spec.name)?.dtype === 'BYTES');
}

/**
 * The key of a `shape` or `layout` given without an input name (`--shape (1,3,224,224)`): it
 * applies to the model's only input, as OVMS's own sentinel of the same name does.
 */
export const ANONYMOUS_INPUT_NAME = 'ANONYMOUS_INPUT_NAME';

/** OVMS model parameters an engine applies at load time (config.json / CLI, already parsed). */
export interface ModelLoadOptions {
  /** Per-input shapes (sizes, -1 or ranges), or 'auto' to reshape to each request's shape. */
  readonly shape?: Readonly<Record<string, readonly ShapeDim[] | 'auto'>>;
  readonly batchSize?: number | 'auto';
  readonly layout?: Readonly<Record<string, string>>;
  readonly targetDevice?: string;
  readonly pluginConfig?: Readonly<Record<string, string | number | boolean>>;
  /** Parallel infer requests; 0 lets the engine choose its optimal number. */
  readonly nireq?: number;
  readonly cacheDir?: string;
  /** A text-generation model's scheduler (OVMS's names; docs/genai.md); others ignore it. */
  readonly textGeneration?: TextGenerationLoadOptions;
}

/** OVMS's continuous-batching scheduler keys of a `"task": "text_generation"` model. */
export interface TextGenerationLoadOptions {
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  /** GB of KV cache; absent: the engine grows it as needed. */
  readonly cacheSize?: number;
  readonly enablePrefixCaching?: boolean;
}

/** Where one inference's time went, in microseconds; written by the engine. */
export interface InferTiming {
  /** Waiting for a free infer request (the model's `nireq` pool). */
  waitUs: number;
  /** Inside the engine's infer call. */
  inferenceUs: number;
}

/** A model version loaded by an engine, ready to infer. */
export interface LoadedModel {
  /** The inputs as the model takes them now (an `auto` reshape changes them). */
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
  /**
   * Runs inference; never blocks the event loop. The caller (the servable) has checked `inputs`
   * against `this.inputs`, `auto` dims taking any size; the engine checks only what is its own
   * (a shape it must reshape to, a dtype it cannot take). Outputs may view engine-owned buffers. When
   * `timing` is given the engine fills it in, for OVMS's `ovms_wait_for_infer_req_time_us` and
   * `ovms_inference_time_us`.
   */
  infer(inputs: TensorMap, signal?: AbortSignal, timing?: InferTiming): Promise<TensorMap>;
  /** Present where the engine can change input shapes after load. */
  reshape?(shapes: Readonly<Record<string, readonly number[]>>): Promise<void>;
  close(): Promise<void>;
  /** Present on generative models (text generation); they answer OpenAI's API, not infer. */
  readonly textGenerator?: TextGenerator;
  /**
   * Infer requests running and waiting now, the size of the infer request pool (`nireq`) and
   * the engine's streams, for the OVMS gauges (`ovms_infer_req_active`,
   * `ovms_infer_req_queue_size` = nireq, `ovms_current_requests`, `ovms_streams`); engines that
   * cannot tell leave it out.
   */
  usage?(): {
    readonly active: number;
    readonly queued: number;
    readonly nireq: number;
    readonly streams?: number;
    /** A text-generation model's KV cache in use, percent (`ovms_kv_cache_usage_percent`). */
    readonly kvCacheUsage?: number;
  };
}

/** An inference runtime (OpenVINO, ONNX Runtime) that loads model files from a local directory. */
export interface Engine {
  readonly name: string;
  /** Whether this engine can load the model files found in `dir`. */
  canLoad(dir: string): Promise<boolean>;
  load(dir: string, options: ModelLoadOptions): Promise<LoadedModel>;
}
