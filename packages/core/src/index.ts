export {
  DATA_TYPES,
  byteSizeOf,
  dataTypeFromOnnx,
  dataTypeFromOpenvino,
  dataTypeFromTf,
  isDataType,
} from './data-type.js';
export type { DataType, DataTypeInfo, NumericDataType } from './data-type.js';
export { ServingError, StatusCode, isServingError, toServingError } from './status.js';
export {
  MAX_TENSOR_ELEMENTS,
  TYPED_ARRAY_OF,
  bytesOf,
  createBytesTensor,
  createNumericTensor,
  elementCount,
  expectedByteSize,
  formatShape,
  isBytesTensor,
  toShape,
  typedView,
} from './tensor.js';
export type {
  BytesTensor,
  NumericTensor,
  NumericTypedArray,
  Tensor,
  TensorMap,
  TypedArrayFor,
} from './tensor.js';
export { ANONYMOUS_INPUT_NAME } from './engine.js';
export type {
  BinaryInputDecoder,
  DimRange,
  Engine,
  InferTiming,
  InputSpec,
  LoadedModel,
  ModelLoadOptions,
  ShapeDim,
  TextGenerationLoadOptions,
  TensorSpec,
} from './engine.js';
export {
  dimRangeAt,
  formatDim,
  formatInputShape,
  formatShapeDims,
  isDimRange,
  splitShapeRanges,
} from './dim-range.js';
export { resolveAnonymousInput } from './anonymous-input.js';
export { MODEL_FILE_PATTERNS, findModelFiles, formatName } from './model-files.js';
export type { ModelFiles, ModelFormat } from './model-files.js';
export type { DownloadProgress, StorageBackend } from './storage-backend.js';
export { VersionState } from './servable.js';
export type {
  InferRequest,
  Servable,
  ServableAdmin,
  ServableLease,
  ServableProvider,
  VersionStatus,
} from './servable.js';
export type {
  ChatMessage,
  FinishReason,
  GenerationEvent,
  GenerationParams,
  GenerationPrompt,
  GenerationRequest,
  TextGenerator,
  TokenLogprob,
} from './text-generation.js';
export { createApiKeyCheck } from './api-key.js';
export type { ApiKeyCheck, ApiKeyRefusal } from './api-key.js';
export type { ServerTls } from './server-tls.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { Plugin, PluginApi, RegisterEngineOptions } from './plugin.js';
export { Registry } from './registry.js';
export { LeaseCounter } from './lease.js';
export { TF_ERROR_CODE_NAMES, TfErrorCode, tfErrorCodeName } from './tf-error-code.js';
export type { TfErrorCodeName } from './tf-error-code.js';
export { validateInput, validateInputs } from './input-validation.js';
export { inferenceFailure, requestedOutputs, selectOutputs, decodedInputs } from './model-call.js';
export { createModelServable } from './model-servable.js';
export type { ModelServableOptions } from './model-servable.js';
export { checkBatchable, createDynamicBatcher } from './dynamic-batcher.js';
export type {
  DynamicBatcher,
  DynamicBatcherOptions,
  DynamicBatchingSettings,
} from './dynamic-batcher.js';
export {
  KSERVE_EXTENSIONS,
  KSERVE_PLATFORM,
  chooseVersionStatus,
  metadataVersions,
} from './kserve-answers.js';
export {
  createMemoryBudget,
  createSharedMemoryBudget,
  memoryBudgetExceeded,
} from './memory-budget.js';
export type { MemoryBudget, MemoryLease, SharedMemoryBudget } from './memory-budget.js';
export {
  fromWireTensors,
  loopWorkerModule,
  postToLoop,
  startTransportLoops,
  toWireTensors,
} from './transport-loops.js';
export type {
  InputsError,
  LoopInferred,
  LoopLifecycleMessage,
  LoopPeer,
  LoopWorkerModule,
  TransportLoopControl,
  TransportLoops,
  TransportLoopsOptions,
  WireTensor,
} from './transport-loops.js';
export { RequestQueue } from './request-queue.js';
export { InlineSwitch } from './inline-switch.js';
export type { InlineSwitchLimits } from './inline-switch.js';
export { RunWindow } from './run-window.js';
export type { RequestQueueOptions } from './request-queue.js';
export { INFERENCE_METHODS, noopMetrics } from './metrics-recorder.js';
export { EMPTY_COUNTERS, StatisticsRecorder } from './inference-statistics.js';
export type {
  StatisticDuration,
  StatisticsRecorderOptions,
  VersionCounters,
} from './inference-statistics.js';
export { readControlParameters } from './model-control-parameters.js';
export type { ModelControlParameter } from './model-control-parameters.js';
export type {
  ModelControl,
  ModelControlMode,
  ModelVersionStatistics,
  RepositoryIndexEntry,
  RepositoryModelState,
} from './model-control.js';
export type {
  BatchRecord,
  InferenceRecord,
  MetricsRecorder,
  RequestRecord,
  ServingApi,
  ServingInterface,
} from './metrics-recorder.js';
