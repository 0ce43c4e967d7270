export {
  GENAI_ENGINE_NAME,
  GENAI_WORKER_SCRIPT,
  createGenaiEngine,
  locateGenai,
} from './genai-engine.js';
export type {
  GenaiEngineOptions,
  GenaiLoadedModel,
  GenaiLocation,
  LocateGenaiOptions,
} from './genai-engine.js';
export { GenaiGenerator } from './genai-generator.js';
export type { GenaiGeneratorOptions, GenerationStats } from './genai-generator.js';
export { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameError, encodeFrame } from './frame-codec.js';
