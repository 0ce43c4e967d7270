export { createOnnxRuntimeEngine } from './onnxruntime-engine.js';
export type { OnnxRuntimeEngineOptions } from './onnxruntime-engine.js';
export { OnnxRuntimeModel } from './onnxruntime-model.js';
