export {
  DETECTION_TENSORS,
  OCR_MODEL_FILES,
  OCR_NAMES,
  RECOGNITION_TENSORS,
  defaultModelsDir,
  ocrPipelineConfig,
} from './pipeline-config.js';
export type { OcrConfigFragment, OcrPipelineConfigOptions } from './pipeline-config.js';
export { default as imagePreprocess, detectionSize } from './nodes/image-preprocess.js';
export { default as dbPostprocess } from './nodes/db-postprocess.js';
export { default as cropTrim } from './nodes/crop-trim.js';
export { default as ctcDecode, decodeSequence } from './nodes/ctc-decode.js';
export type { CtcState } from './nodes/ctc-decode.js';
export { DEFAULT_DB_OPTIONS, detectTextBoxes } from './geometry/text-boxes.js';
export type { DbOptions, TextBox } from './geometry/text-boxes.js';
export type { RgbImage } from './geometry/crop.js';
