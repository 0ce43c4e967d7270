import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServingError, StatusCode } from '@ovms/core';
import type { Engine, LoadedModel, Logger, ModelLoadOptions } from '@ovms/core';
import { GenaiGenerator } from './genai-generator.js';
import type { WorkerLoad } from './worker-process.js';

/** The worker script, shipped beside `src/` and `dist/` in the package's `worker/` folder. */
export const GENAI_WORKER_SCRIPT = fileURLToPath(
  new URL('../worker/genai_worker.py', import.meta.url),
);

/** The engine name config.json's `"task": "text_generation"` entries are served by. */
export const GENAI_ENGINE_NAME = 'genai';

export interface GenaiEngineOptions {
  /** The Python interpreter the worker runs on. */
  readonly python: string;
  /** Folder holding the `openvino_genai` package and its dependencies (`.cache/python-genai`). */
  readonly pythonPath: string;
  /** Extra environment for the worker (PATH, locale); PYTHONPATH is set from `pythonPath`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Largest bridge message either side accepts. */
  readonly maxFrameBytes?: number;
}

/** A loaded text-generation model: a LoadedModel with no tensors and a generator. */
export interface GenaiLoadedModel extends LoadedModel {
  readonly textGenerator: GenaiGenerator;
}

/**
 * Whether `dir` holds a text-generation model: a `.gguf` file (GenAI reads GGUF directly) or an
 * OpenVINO GenAI model folder (`openvino_model.xml` beside `openvino_tokenizer.xml`).
 */
async function modelPathIn(dir: string): Promise<string | undefined> {
  if (
    existsSync(join(dir, 'openvino_tokenizer.xml')) &&
    existsSync(join(dir, 'openvino_model.xml'))
  )
    return dir;
  const ggufs = (await readdir(dir).catch(() => [])).filter((f) =>
    f.toLowerCase().endsWith('.gguf'),
  );
  if (ggufs.length > 1)
    throw new ServingError(
      StatusCode.MODEL_FILE_INVALID,
      `more than one GGUF file in ${dir}: ${ggufs.sort().join(', ')}`,
    );
  return ggufs[0] === undefined ? undefined : join(dir, ggufs[0]);
}

/**
 * OpenVINO GenAI behind the Engine contract: each loaded version is a worker process running
 * a ContinuousBatchingPipeline (docs/genai.md). Tensor inference on it is NOT_IMPLEMENTED; the
 * OpenAI-compatible routes reach it through `textGenerator`.
 */
export function createGenaiEngine(options: GenaiEngineOptions): Engine {
  return {
    name: GENAI_ENGINE_NAME,
    async canLoad(dir) {
      return (await modelPathIn(dir).catch(() => undefined)) !== undefined;
    },
    async load(dir, loadOptions) {
      const path = await modelPathIn(dir);
      if (path === undefined)
        throw new ServingError(
          StatusCode.MODEL_FILE_INVALID,
          `no GGUF file or OpenVINO GenAI model folder in ${dir}`,
        );
      const generator = new GenaiGenerator({
        python: options.python,
        script: GENAI_WORKER_SCRIPT,
        env: { ...options.env, PYTHONPATH: options.pythonPath },
        load: workerLoad(path, loadOptions),
        logger: options.logger,
        ...(options.maxFrameBytes !== undefined && { maxFrameBytes: options.maxFrameBytes }),
      });
      await generator.start();
      return loadedModel(generator);
    },
  };
}

function workerLoad(path: string, options: ModelLoadOptions): WorkerLoad {
  const scheduler = options.textGeneration ?? {};
  return {
    path,
    device: options.targetDevice ?? 'CPU',
    plugin_config: options.pluginConfig ?? {},
    ...(scheduler.maxNumSeqs !== undefined && { max_num_seqs: scheduler.maxNumSeqs }),
    ...(scheduler.maxNumBatchedTokens !== undefined && {
      max_num_batched_tokens: scheduler.maxNumBatchedTokens,
    }),
    ...(scheduler.cacheSize !== undefined && { cache_size: scheduler.cacheSize }),
    ...(scheduler.enablePrefixCaching !== undefined && {
      enable_prefix_caching: scheduler.enablePrefixCaching,
    }),
  };
}

function loadedModel(generator: GenaiGenerator): GenaiLoadedModel {
  return {
    inputs: [],
    outputs: [],
    textGenerator: generator,
    infer() {
      return Promise.reject(
        new ServingError(
          StatusCode.NOT_IMPLEMENTED,
          'this is a text generation model: use POST /v3/chat/completions or /v3/completions',
        ),
      );
    },
    close: () => generator.close(),
    // For OVMS's gauges: requests in the continuous batch are `ovms_current_requests`.
    usage: () => {
      const { active, cacheUsage } = generator.usage();
      return { active, queued: 0, nireq: 0, kvCacheUsage: cacheUsage };
    },
  };
}

export interface LocateGenaiOptions {
  /** OVMS_GENAI_PYTHONPATH overrides the folder, OVMS_GENAI_PYTHON the interpreter. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project root whose `.cache/python-genai` scripts/ensure-genai.sh fills. */
  readonly projectRoot: string;
}

export type GenaiLocation =
  | { readonly found: true; readonly python: string; readonly pythonPath: string }
  | { readonly found: false; readonly message: string };

/** Finds the GenAI wheel's folder and the interpreter to run the worker on. */
export function locateGenai(options: LocateGenaiOptions): GenaiLocation {
  const pythonPath =
    options.env.OVMS_GENAI_PYTHONPATH ?? join(options.projectRoot, '.cache', 'python-genai');
  if (!existsSync(join(pythonPath, 'openvino_genai')))
    return {
      found: false,
      message: `OpenVINO GenAI not found in ${pythonPath}: run scripts/ensure-genai.sh (or set OVMS_GENAI_PYTHONPATH)`,
    };
  const python = realInterpreter(options.env.OVMS_GENAI_PYTHON ?? 'python3');
  if (python === undefined)
    return { found: false, message: 'python3 not found: the text generation worker needs it' };
  return { found: true, python, pythonPath };
}

/**
 * The interpreter binary itself: a launcher such as pyenv's shim may run Python as its own
 * child, which signals sent to the launcher's pid (a crash test's kill, an unload's last
 * resort) would then miss.
 */
function realInterpreter(command: string): string | undefined {
  const result = spawnSync(command, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const path = result.status === 0 ? result.stdout.trim() : '';
  return path === '' ? undefined : path;
}
