export { FIXTURE_NAMES, MODEL_FIXTURE_NAMES } from './fixture-graphs.js';
export type { FixtureName, ModelFixtureName } from './fixture-graphs.js';
export {
  fixtureSpec,
  linkPpOcrDetModel,
  ppOcrDetModelPath,
  writeFixtureModel,
  writeFixtureRepository,
} from './fixtures.js';
export type { FixtureFormat, FixtureSpec, SampleInputOptions } from './fixtures.js';
export { encodeOnnxModel } from './onnx-writer.js';
export type {
  FixtureDim,
  FixtureGraph,
  GraphConstant,
  GraphNode,
  GraphOp,
  GraphValue,
} from './fixture-graphs.js';
export { encodeIrModel } from './ir-writer.js';
export type { IrModel } from './ir-writer.js';
export { fromFloat16Bits, toFloat16Bits } from './float16.js';
export { decodeValues, encodeValues } from './values.js';
export { describeEngineConformance } from './conformance.js';
export type { EngineCapabilities, EngineConformanceOptions } from './conformance.js';
export { encodeImageMeanOnnxModel, encodeMlpOnnxModel, writeMlpModel } from './mlp-model.js';
export type { MlpModelOptions } from './mlp-model.js';
export { TestServableProvider, createJsModel } from './test-provider.js';
export { RECORDED_STATISTICS, RecordingModelControl } from './recording-model-control.js';
export { createRecordingLogger } from './recording-logger.js';
export type { LogRecord, RecordingLogger } from './recording-logger.js';
export type { TestVersion } from './test-provider.js';
export {
  FRAMEWORK_FIXTURE_FEATURES,
  FRAMEWORK_FIXTURE_FORMATS,
  copyFrameworkFixture,
  frameworkFixtureOutput,
} from './framework-fixtures.js';
export type { FrameworkFixtureFormat } from './framework-fixtures.js';
