// What one measured cell of `npm run bench` is, and the look-ups the report makes over them.
import type { ClientPath } from './server/client.js';
import type { BenchModelName, CellResult } from './server/workload.js';

/**
 * Who answers: the engine in process, this server on either engine, the peer server, or the
 * gRPC transport floor (grpc-js with a canned answer: no decoding, no model).
 */
export type TargetName = 'raw-ort' | 'ovms-ort' | 'ovms-ov' | 'mlserver' | 'grpc-floor';

export const TARGET_LABELS: Readonly<Record<TargetName, string>> = {
  'raw-ort': 'raw ONNX Runtime, in process',
  'ovms-ort': 'ovms-ts, ONNX Runtime',
  'ovms-ov': 'ovms-ts, OpenVINO',
  mlserver: 'MLServer, ONNX Runtime',
  'grpc-floor': 'gRPC floor: grpc-js, canned answer',
};

export type PathName = 'in-process' | ClientPath;

export interface Cell {
  readonly model: BenchModelName;
  readonly target: TargetName;
  readonly path: PathName;
  /** Requests in flight (closed loop); for a fixed-rate cell, 0. */
  readonly width: number;
  /** Offered requests per second of a fixed-rate (open-loop) cell. */
  readonly rate?: number;
  readonly result: CellResult;
  /** CPU of the serving process(es) per cell: the raw engine's, the server's, MLServer's tree. */
  readonly servingCpuUs: number;
  /** CPU of the client process; 0 in process (the raw engine is its own client). */
  readonly clientCpuUs: number;
}

export const perSecond = (cell: Cell): number => cell.result.requests / cell.result.seconds;

export interface CellQuery {
  readonly model: BenchModelName;
  readonly target: TargetName;
  readonly path: PathName;
  readonly width?: number;
  readonly rated?: boolean;
}

export function findCell(cells: readonly Cell[], query: CellQuery): Cell | undefined {
  return cells.find(
    (c) =>
      c.model === query.model &&
      c.target === query.target &&
      c.path === query.path &&
      (query.rated === true ? c.rate !== undefined : c.rate === undefined) &&
      (query.width === undefined || c.width === query.width),
  );
}

/** The best closed-loop throughput of a target on a path over every width measured. */
export function peakCell(cells: readonly Cell[], query: CellQuery): Cell | undefined {
  let best: Cell | undefined;
  for (const cell of cells) {
    if (cell.model !== query.model || cell.target !== query.target || cell.path !== query.path)
      continue;
    if (cell.rate !== undefined) continue;
    if (best === undefined || perSecond(cell) > perSecond(best)) best = cell;
  }
  return best;
}
