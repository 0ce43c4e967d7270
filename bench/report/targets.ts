// The three performance targets of the Benchmarks issue, judged from one run's cells.
import { findCell, peakCell, perSecond, type Cell } from '../cells.js';
import type { BenchModelName } from '../server/workload.js';

export interface TargetVerdict {
  readonly target: string;
  /** One line per comparison that went into the verdict. */
  readonly measured: readonly string[];
  /** undefined: the cells it needs were not measured in this run. */
  readonly met: boolean | undefined;
}

const GRPC_PATHS = ['tfs-grpc', 'kserve-grpc'] as const;

function verdict(target: string, checks: readonly { line: string; ok: boolean }[]): TargetVerdict {
  return {
    target,
    measured: checks.map((c) => c.line),
    met: checks.length === 0 ? undefined : checks.every((c) => c.ok),
  };
}

export function evaluateTargets(
  cells: readonly Cell[],
  models: readonly BenchModelName[],
): TargetVerdict[] {
  // The bar: REST JSON rows at least 2× MLServer, gRPC rows at least 3×.
  const peer = {
    grpc: [] as { line: string; ok: boolean }[],
    json: [] as { line: string; ok: boolean }[],
  };
  for (const model of models) {
    for (const path of ['kserve-grpc', 'kserve-rest-json'] as const) {
      const ours = peakCell(cells, { model, target: 'ovms-ort', path });
      const theirs = peakCell(cells, { model, target: 'mlserver', path });
      if (ours === undefined || theirs === undefined) continue;
      const ratio = perSecond(ours) / perSecond(theirs);
      const json = path === 'kserve-rest-json';
      peer[json ? 'json' : 'grpc'].push({
        line: `${model} ${path}: ${ratio.toFixed(2)}× (peak ${perSecond(ours).toFixed(0)} vs ${perSecond(theirs).toFixed(0)} req/s)`,
        ok: ratio >= (json ? 2 : 3),
      });
    }
  }
  const compute: { line: string; ok: boolean }[] = [];
  const rawPeak = peakCell(cells, { model: 'det', target: 'raw-ort', path: 'in-process' });
  for (const path of GRPC_PATHS) {
    const ours = peakCell(cells, { model: 'det', target: 'ovms-ort', path });
    if (ours === undefined || rawPeak === undefined) continue;
    const ratio = perSecond(ours) / perSecond(rawPeak);
    compute.push({
      line: `det ${path}: ${ratio.toFixed(2)}× raw (peak ${perSecond(ours).toFixed(1)} vs ${perSecond(rawPeak).toFixed(1)} req/s)`,
      ok: ratio >= 0.9,
    });
  }
  const overhead: { line: string; ok: boolean }[] = [];
  const raw = findCell(cells, { model: 'add', target: 'raw-ort', path: 'in-process', width: 1 });
  for (const path of GRPC_PATHS) {
    const ours = findCell(cells, { model: 'add', target: 'ovms-ort', path, width: 1 });
    if (ours === undefined || raw === undefined) continue;
    const extra = ours.result.p50Us - raw.result.p50Us;
    // The floor is what a grpc-js server answering without any work costs on the same client:
    // the part of the overhead no server built on grpc-js can remove.
    const floor = findCell(cells, { model: 'add', target: 'grpc-floor', path, width: 1 });
    const split =
      floor === undefined
        ? ''
        : ` (gRPC floor ${floor.result.p50Us.toFixed(0)} µs; ovms-ts's own work ` +
          `+${(ours.result.p50Us - floor.result.p50Us - raw.result.p50Us).toFixed(0)} µs)`;
    overhead.push({
      line: `add ${path}, 1 in flight: p50 ${ours.result.p50Us.toFixed(0)} µs vs raw ${raw.result.p50Us.toFixed(0)} µs: +${extra.toFixed(0)} µs${split}`,
      ok: extra <= 150,
    });
  }
  return [
    verdict('≥ 3× MLServer throughput on gRPC (same model, same engine, same protocol)', peer.grpc),
    verdict('≥ 2× MLServer throughput on REST JSON (same model, same engine)', peer.json),
    verdict('≥ 0.9× raw-engine throughput on the compute-bound model (PP-OCR det)', compute),
    verdict('tiny-model p50 overhead ≤ 150 µs on gRPC', overhead),
  ];
}

export function formatVerdict(met: boolean | undefined): string {
  if (met === undefined) return 'not measured';
  return met ? 'met' : 'not met';
}
