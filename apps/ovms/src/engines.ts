import type { Engine, Logger } from '@ovms/core';
import { createGenaiEngine, locateGenai } from '@ovms/engine-genai';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import {
  createMissingOpenvinoEngine,
  createOpenvinoEngine,
  locateOpenvinoLibDir,
} from '@ovms/engine-openvino';

export interface CreateEnginesOptions {
  /** The environment OPENVINO_LIB_DIR and PYTHONPATH are read from (main passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project root whose `.cache/python` holds the OpenVINO wheel (scripts/ensure-openvino.sh). */
  readonly projectRoot: string;
  /** `--cache_dir`: OpenVINO's compiled-model cache. */
  readonly cacheDir?: string;
  readonly logger: Logger;
}

/**
 * The engines in preference order: OpenVINO first when its runtime is found (it loads IR, ONNX,
 * TensorFlow, TFLite and Paddle, as OVMS does), then onnxruntime (ONNX only). Without OpenVINO, ONNX models are served by
 * onnxruntime and IR models fail to load with a message saying why; the choice is logged once.
 * A model's `engine` key in config.json picks an engine by name regardless of this order;
 * plugin engines (plugins.ts) are tried before these when preferred, else after.
 */
export function createEngines(options: CreateEnginesOptions): Engine[] {
  return [...tensorEngines(options), ...textGenerationEngines(options)];
}

/**
 * OpenVINO GenAI for `"task": "text_generation"` models (docs/genai.md), when
 * scripts/ensure-genai.sh installed it; it loads only GGUF files and GenAI folders, so it
 * comes last. Without it such models fail to load saying where it was looked for.
 */
function textGenerationEngines(options: CreateEnginesOptions): Engine[] {
  const location = locateGenai({ env: options.env, projectRoot: options.projectRoot });
  if (!location.found) {
    options.logger.warn({}, location.message);
    return [];
  }
  const env = Object.fromEntries(
    Object.entries(options.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'PYTHONPATH',
    ),
  );
  return [
    createGenaiEngine({
      python: location.python,
      pythonPath: location.pythonPath,
      env,
      logger: options.logger,
    }),
  ];
}

function tensorEngines(options: CreateEnginesOptions): Engine[] {
  const onnxruntime = createOnnxRuntimeEngine();
  const location = locateOpenvinoLibDir({ env: options.env, cwd: options.projectRoot });
  if (!location.found) {
    options.logger.warn(
      { searched: location.searched },
      'OpenVINO runtime not found: serving ONNX models with onnxruntime only; IR models will not load',
    );
    // Last, so ONNX still goes to onnxruntime: IR, TensorFlow, TFLite and Paddle models then
    // fail naming their format and the missing runtime rather than "no engine".
    return [onnxruntime, createMissingOpenvinoEngine(location.message)];
  }
  options.logger.info(
    { libDir: location.libDir, source: location.source },
    'Engines: openvino (IR and ONNX), then onnxruntime',
  );
  const openvino = createOpenvinoEngine({
    libDir: location.libDir,
    ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
  });
  return [openvino, onnxruntime];
}
