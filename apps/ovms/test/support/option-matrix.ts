import { expect } from 'vitest';
import type { Values } from './option-matrix-models.js';
import { runPythonChecks } from './python.js';
import type { CheckResult } from './python.js';

/** The four APIs a matrix cell runs over, each with the client OVMS users run there. */
export const TRANSPORTS = ['tfs_grpc', 'tfs_rest', 'kserve_grpc', 'kserve_rest'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** What a version's status must be: serving, a failed load (OVMS: LOADING, UNKNOWN), or not served. */
export type VersionOutcome = 'AVAILABLE' | 'LOAD_FAILED' | 'ABSENT';

interface Target {
  readonly model: string;
  /** Absent: the default version. */
  readonly version?: number;
}

/** An infer whose outputs (computed by the test) or error message (its start or a part) are expected. */
export interface InferStep extends Target {
  readonly op: 'infer';
  readonly inputs: Readonly<Record<string, Values>>;
  readonly expect: Readonly<Record<string, Values>> | { readonly error: string };
}

/** Metadata: the shapes inputs and outputs report now (TFS GetModelMetadata, KServe /v2/models/{m}). */
export interface MetadataStep extends Target {
  readonly op: 'metadata';
  readonly expect: {
    readonly inputs: Readonly<Record<string, readonly number[]>>;
    readonly outputs: Readonly<Record<string, readonly number[]>>;
  };
}

/** Version status: TFS GetModelStatus / `/v1/models/{m}`, KServe ModelReady per version. */
export interface StatusStep {
  readonly op: 'status';
  readonly model: string;
  readonly expect: Readonly<Record<number, VersionOutcome>>;
}

export type Step = InferStep | MetadataStep | StatusStep;

/** One cell of the matrix: its steps run in order over each transport in turn. */
export interface Cell {
  readonly name: string;
  readonly steps: readonly Step[];
}

/** Per transport, one line per step: what happened, normalised so a diff reads as a table. */
export type CellOutcome = Partial<Record<Transport, unknown[]>>;

export interface MatrixResults {
  /** What the server answered in `cell`, per transport and step. */
  actual(cell: string): CellOutcome;
  /** What `cell` must answer, in the same shape (asymmetric matchers for error messages). */
  expected(cell: string): CellOutcome;
}

const isError = (expected: InferStep['expect']): expected is { readonly error: string } =>
  'error' in expected && typeof expected.error === 'string';

const dims = (shape: readonly number[]) => `(${shape.join(',')})`;

function describeTensor(actual: Values | undefined, expected: Values | undefined): string {
  if (actual === undefined) return 'missing';
  if (expected === undefined) return `${dims(actual.shape)} not expected`;
  if (actual.shape.join() !== expected.shape.join()) return `${dims(actual.shape)} not compared`;
  const at = actual.values.findIndex((value, i) => value !== expected.values[i]);
  if (at < 0 && actual.values.length === expected.values.length)
    return `${dims(actual.shape)} as computed`;
  return `${dims(actual.shape)} differs at ${at}: ${actual.values[at]} for ${expected.values[at]}`;
}

/** `name (dims)` of each tensor, by name. */
function tensorList(shapes: Readonly<Record<string, readonly number[]>>): string {
  return Object.keys(shapes)
    .sort()
    .map((name) => `${name} ${dims(shapes[name] ?? [])}`)
    .join(', ');
}

const byVersion = (entries: [string, string][]) =>
  entries
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([version, text]) => `v${version} ${text}`)
    .join(', ');

/** A TFS version status (`state error_code error_message`) or a KServe readiness. */
function describeVersion(transport: Transport, value: unknown): string {
  if (transport.startsWith('tfs')) {
    const status = value as { state: string; error_code: number; error_message: string };
    return `${status.state} ${status.error_code} ${status.error_message}`;
  }
  if (typeof value === 'boolean') return value ? 'ready' : 'not ready';
  return `error: ${(value as { error: string }).error}`;
}

function statusLine(transport: Transport, status: Record<string, unknown>): string {
  return byVersion(
    Object.entries(status).map(([version, value]) => [version, describeVersion(transport, value)]),
  );
}

function expectedStatus(transport: Transport, step: StatusStep): string {
  const tfs = transport.startsWith('tfs');
  const described: Record<string, unknown> = {};
  for (const [version, outcome] of Object.entries(step.expect)) {
    if (tfs && outcome !== 'ABSENT')
      described[version] =
        outcome === 'AVAILABLE'
          ? { state: 'AVAILABLE', error_code: 0, error_message: 'OK' }
          : { state: 'LOADING', error_code: 2, error_message: 'UNKNOWN' };
    // KServe ModelReady: gRPC answers NOT_FOUND for a version not served, REST a 404 (not ready).
    if (!tfs)
      described[version] =
        outcome === 'ABSENT' && transport === 'kserve_grpc'
          ? { error: 'Model with requested version is not found' }
          : outcome === 'AVAILABLE';
  }
  return statusLine(transport, described);
}

function expectedLine(transport: Transport, step: Step): unknown {
  switch (step.op) {
    case 'infer': {
      const expected = step.expect;
      if (isError(expected))
        return expect.stringMatching(new RegExp(`^error: .*${escapeRegExp(expected.error)}`));
      return Object.keys(expected)
        .sort()
        .map((name) => `${name} ${dims(expected[name]?.shape ?? [])} as computed`)
        .join('; ');
    }
    case 'metadata':
      return `${tensorList(step.expect.inputs)} -> ${tensorList(step.expect.outputs)}`;
    case 'status':
      return expectedStatus(transport, step);
  }
}

function actualLine(transport: Transport, step: Step, result: CheckResult | undefined): string {
  if (result === undefined) return 'no result';
  if ('error' in result) return `error: ${result.error.message}`;
  switch (step.op) {
    case 'infer': {
      const outputs = result.ok as Record<string, Values>;
      const expected = isError(step.expect) ? {} : step.expect;
      return Object.keys({ ...outputs, ...expected })
        .sort()
        .map((name) => `${name} ${describeTensor(outputs[name], expected[name])}`)
        .join('; ');
    }
    case 'metadata': {
      const { inputs, outputs } = result.ok as MetadataStep['expect'];
      return `${tensorList(inputs)} -> ${tensorList(outputs)}`;
    }
    case 'status':
      return statusLine(transport, result.ok as Record<string, unknown>);
  }
}

/** `text` as a RegExp source that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The step as option_matrix.py reads it. */
function wireStep(id: string, transport: Transport, step: Step): object {
  const target = { id, transport, op: step.op, model: step.model };
  switch (step.op) {
    case 'infer': {
      // An infer expected to fail asks for no output by name: the server's answer decides.
      const outputs = isError(step.expect) ? undefined : Object.keys(step.expect);
      return { ...target, version: step.version, inputs: step.inputs, outputs };
    }
    case 'metadata':
      return { ...target, version: step.version };
    case 'status':
      return { ...target, versions: Object.keys(step.expect).map(Number) };
  }
}

/**
 * Runs every cell over its transports with ovmsclient and tritonclient, in one Python process
 * (test/python/option_matrix.py): cells in order, and in each cell the transports in turn, so a
 * step sees the server as the cell's earlier steps on that transport left it.
 */
export async function runMatrix(
  addresses: { readonly grpc: string; readonly rest: string },
  cells: readonly Cell[],
): Promise<MatrixResults> {
  const names = new Set<string>();
  const plan: { cell: Cell; transport: Transport; step: Step; id: string }[] = [];
  for (const cell of cells) {
    if (names.has(cell.name)) throw new Error(`two cells named ${cell.name}`);
    names.add(cell.name);
    for (const transport of TRANSPORTS) {
      cell.steps.forEach((step, index) =>
        plan.push({ cell, transport, step, id: `${cell.name}|${transport}|${index}` }),
      );
    }
  }
  const input = JSON.stringify(
    plan.map(({ id, transport, step }) => wireStep(id, transport, step)),
  );
  const results = await runPythonChecks(
    'option_matrix.py',
    [addresses.grpc, addresses.rest],
    input,
  );
  const collect = (name: string, line: (entry: (typeof plan)[number]) => unknown): CellOutcome => {
    const outcome: CellOutcome = {};
    for (const entry of plan.filter((candidate) => candidate.cell.name === name))
      (outcome[entry.transport] ??= []).push(line(entry));
    if (!names.has(name)) throw new Error(`no cell named ${name}`);
    return outcome;
  };
  return {
    actual: (name) =>
      collect(name, ({ step, id, transport }) => actualLine(transport, step, results[id])),
    expected: (name) => collect(name, ({ step, transport }) => expectedLine(transport, step)),
  };
}
