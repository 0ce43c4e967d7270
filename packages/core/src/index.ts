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
  Engine,
  InferTiming,
  InputSpec,
  LoadedModel,
  ModelLoadOptions,
  TextGenerationLoadOptions,
  TensorSpec,
} from './engine.js';
export { resolveAnonymousInput } from './anonymous-input.js';
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
export {
  KSERVE_EXTENSIONS,
  KSERVE_PLATFORM,
  chooseVersionStatus,
  metadataVersions,
} from './kserve-answers.js';
export { createMemoryBudget, memoryBudgetExceeded } from './memory-budget.js';
export type { MemoryBudget, MemoryLease } from './memory-budget.js';
export { RequestQueue } from './request-queue.js';
export type { RequestQueueOptions } from './request-queue.js';
export { noopMetrics } from './metrics-recorder.js';
export type {
  InferenceRecord,
  MetricsRecorder,
  RequestRecord,
  ServingApi,
  ServingInterface,
} from './metrics-recorder.js';
