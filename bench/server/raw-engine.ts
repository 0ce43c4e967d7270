// The physical limit: LoadedModel.infer in a closed loop, in its own process, on the same
// engine, model files, load options and input bytes the server gets. Driven by run.ts.
import { fileURLToPath } from 'node:url';
import type { LoadedModel, TensorMap } from '@ovms/core';
import { createOpenvinoEngine, locateOpenvinoLibDir } from '@ovms/engine-openvino';
import { serveBenchRequests } from './ipc.js';
import {
  BENCH_MODELS,
  inputTensors,
  measureClosedLoop,
  type BenchModelName,
  type CellResult,
} from './workload.js';

export type RawRequest =
  | {
      readonly kind: 'load';
      readonly dirs: Readonly<Record<BenchModelName, string>>;
      readonly nireq: number;
    }
  | {
      readonly kind: 'measure';
      readonly model: BenchModelName;
      readonly inflight: number;
      readonly seconds: number;
    };

export type RawAnswer = CellResult | { readonly loaded: true };

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const loaded = new Map<BenchModelName, { model: LoadedModel; inputs: TensorMap }>();

async function load(
  dirs: Readonly<Record<BenchModelName, string>>,
  nireq: number,
): Promise<RawAnswer> {
  const location = locateOpenvinoLibDir({ env: process.env, cwd: projectRoot });
  const engine = createOpenvinoEngine(location.found ? { libDir: location.libDir } : {});
  for (const name of Object.keys(dirs) as BenchModelName[]) {
    // The server's defaults for a config.json entry with only name, base_path and nireq.
    const model = await engine.load(dirs[name], { targetDevice: 'CPU', nireq });
    loaded.set(name, { model, inputs: inputTensors(BENCH_MODELS[name]) });
  }
  return { loaded: true };
}

serveBenchRequests<RawRequest, RawAnswer>(async (request) => {
  if (request.kind === 'load') return load(request.dirs, request.nireq);
  const entry = loaded.get(request.model);
  if (entry === undefined) throw new Error(`model ${request.model} is not loaded`);
  return measureClosedLoop(
    () => entry.model.infer(entry.inputs),
    request.inflight,
    request.seconds,
  );
});
