// The physical limit: LoadedModel.infer in a closed loop (or at a fixed rate), in its own
// process, on the same engine, model files, load options and input bytes the server gets.
// Driven by bench/server/run.ts and bench/run.ts.
import { fileURLToPath } from 'node:url';
import type { Engine, LoadedModel } from '@ovms/core';
import { createOnnxRuntimeEngine } from '@ovms/engine-onnxruntime';
import { createOpenvinoEngine, locateOpenvinoLibDir } from '@ovms/engine-openvino';
import { serveBenchRequests } from './ipc.js';
import {
  BENCH_MODELS,
  inputTensors,
  measureClosedLoop,
  measureFixedRate,
  type BenchModelName,
  type CellResult,
} from './workload.js';

export type RawEngineName = 'openvino' | 'onnxruntime';

export type RawRequest =
  | {
      readonly kind: 'load';
      /** Served model name → version directory. */
      readonly dirs: Readonly<Record<string, string>>;
      readonly nireq: number;
      /** OpenVINO when absent, as the server bench has always measured. */
      readonly engine?: RawEngineName;
      /** The engine's plugin_config, as a config.json entry would give it (none: defaults). */
      readonly pluginConfig?: Readonly<Record<string, string | number | boolean>>;
    }
  | {
      readonly kind: 'measure';
      readonly model: BenchModelName;
      readonly inflight: number;
      readonly seconds: number;
      /** Requests per second (open loop) instead of `inflight` closed loops. */
      readonly rate?: number;
    };

export type RawAnswer = CellResult | { readonly loaded: true };

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const loaded = new Map<string, LoadedModel>();

function createEngine(name: RawEngineName): Engine {
  if (name === 'onnxruntime') return createOnnxRuntimeEngine();
  const location = locateOpenvinoLibDir({ env: process.env, cwd: projectRoot });
  return createOpenvinoEngine(location.found ? { libDir: location.libDir } : {});
}

async function load(request: Extract<RawRequest, { kind: 'load' }>): Promise<RawAnswer> {
  const engine = createEngine(request.engine ?? 'openvino');
  for (const [name, dir] of Object.entries(request.dirs)) {
    // The server's defaults for a config.json entry with only name, base_path and nireq.
    loaded.set(
      name,
      await engine.load(dir, {
        targetDevice: 'CPU',
        nireq: request.nireq,
        ...(request.pluginConfig !== undefined && { pluginConfig: request.pluginConfig }),
      }),
    );
  }
  return { loaded: true };
}

serveBenchRequests<RawRequest, RawAnswer>(async (request) => {
  if (request.kind === 'load') return load(request);
  const workload = BENCH_MODELS[request.model];
  const model = loaded.get(workload.name);
  if (model === undefined) throw new Error(`model ${workload.name} is not loaded`);
  const inputs = inputTensors(workload);
  const send = () => model.infer(inputs);
  return request.rate === undefined
    ? measureClosedLoop(send, request.inflight, request.seconds)
    : measureFixedRate(send, request.rate, request.seconds);
});
