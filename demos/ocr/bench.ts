/**
 * Pipeline overhead: the OCR pipeline served by @ovms/dag against a client doing the same
 * work itself, in process — the same loaded models and the same node functions called one
 * by one (per-box recognition concurrent, as the pipeline runs its sub-requests). Both paths
 * alternate on one image so machine noise hits them alike; the ratio is the pipeline's cost.
 *
 *   node --conditions=@ovms/source --import tsx demos/ocr/bench.ts [iterations]
 */
import { join } from 'node:path';
import type { Servable, Tensor, TensorMap } from '@ovms/core';
import { splitTensor } from '@ovms/dag';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import {
  DETECTION_TENSORS,
  OCR_MODEL_FILES,
  OCR_NAMES,
  RECOGNITION_TENSORS,
  cropTrim,
  ctcDecode,
  dbPostprocess,
  defaultModelsDir,
  imagePreprocess,
} from './src/index.js';
import { startOcr } from './test/ocr-harness.js';
import { renderTextImage } from './test/render.js';
import { DOCUMENT, DOCUMENT_SIZE, bytesInput } from './test/samples.js';

const iterations = Number(process.argv[2] ?? '8');
const harness = await startOcr(createOnnxRuntimeEngine());
const found = harness.pipelines.get(OCR_NAMES.pipeline);
if (found === undefined) throw new Error('no ocr pipeline');
const pipeline: Servable = found;
const det = harness.provider.model(OCR_NAMES.detectionModel);
const rec = harness.provider.model(OCR_NAMES.recognitionModel);
const keysPath = join(defaultModelsDir(), OCR_MODEL_FILES.keys);
const pre = imagePreprocess.initialize({});
const post = dbPostprocess.initialize({});
const ctc = await ctcDecode.initialize({ keys_path: keysPath });
const inputs = bytesInput(await renderTextImage(DOCUMENT, DOCUMENT_SIZE));

const need = (map: TensorMap, name: string): Tensor => {
  const tensor = map.get(name);
  if (tensor === undefined) throw new Error(`missing ${name}`);
  return tensor;
};

/** What a client does without the pipeline: every step itself, in process. */
async function byHand(): Promise<string[]> {
  const prepared = await imagePreprocess.execute(inputs, {}, pre);
  const map = await det.infer(new Map([[DETECTION_TENSORS.input, need(prepared, 'det_input')]]));
  const found = dbPostprocess.execute(
    new Map([
      ['prob_map', need(map, DETECTION_TENSORS.output)],
      ['image', need(prepared, 'image')],
    ]),
    {},
    post,
  );
  const crops = splitTensor(need(found, 'crops'));
  const widths = splitTensor(need(found, 'widths'));
  const texts = await Promise.all(
    crops.map(async (crop, i) => {
      const width = widths[i];
      if (width === undefined) throw new Error('widths and crops disagree');
      const trimmed = cropTrim.execute(
        new Map([
          ['crop', crop],
          ['width', width],
        ]),
      );
      const logits = await rec.infer(new Map([[RECOGNITION_TENSORS.input, need(trimmed, 'crop')]]));
      const decoded = ctcDecode.execute(
        new Map([['logits', need(logits, RECOGNITION_TENSORS.output)]]),
        {},
        ctc,
      );
      const text = need(decoded, 'text');
      return text.dtype === 'BYTES' ? new TextDecoder().decode(text.data[0]) : '';
    }),
  );
  return texts;
}

async function throughPipeline(): Promise<string[]> {
  const outputs = await pipeline.infer({ inputs });
  const texts = need(outputs, 'texts');
  return texts.dtype === 'BYTES' ? texts.data.map((bytes) => new TextDecoder().decode(bytes)) : [];
}

async function time(run: () => Promise<string[]>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

const expected = JSON.stringify(await byHand());
if (JSON.stringify(await throughPipeline()) !== expected) throw new Error('the two paths disagree');
const pipelineMs: number[] = [];
const handMs: number[] = [];
for (let i = 0; i < iterations; i++) {
  pipelineMs.push(await time(throughPipeline));
  handMs.push(await time(byHand));
}
const p = median(pipelineMs);
const h = median(handMs);
const lines = [
  `OCR on a ${DOCUMENT_SIZE.width}x${DOCUMENT_SIZE.height} PNG, ${DOCUMENT.length} lines, onnxruntime, ${iterations} iterations each (median)`,
  `  pipeline (@ovms/dag):        ${p.toFixed(1)} ms`,
  `  same steps by hand:          ${h.toFixed(1)} ms`,
  `  pipeline / by hand:          ${(p / h).toFixed(3)}  (overhead ${(p - h).toFixed(1)} ms)`,
  `  texts: ${expected}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
await harness.close();
