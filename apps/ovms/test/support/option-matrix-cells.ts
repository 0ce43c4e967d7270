import type { Cell, Step, VersionOutcome } from './option-matrix.js';
import {
  DENSE_WIDTH,
  denseInput,
  denseOutput,
  nchwOutputFromNhwc,
  nhwcInput,
  offsetInput,
  offsetOutput,
} from './option-matrix-models.js';
import type { Values } from './option-matrix-models.js';

// The cells each option gets, by what the option promises; the config.json and CLI suites
// run the same ones against models served with that option.

const denseRows = (model: string, rows: number): Step => {
  const x = denseInput(rows);
  return { op: 'infer', model, inputs: { x }, expect: { y: denseOutput(x) } };
};
const denseMetadata = (model: string, rows: number): Step => ({
  op: 'metadata',
  model,
  expect: { inputs: { x: [rows, DENSE_WIDTH] }, outputs: { y: [rows, DENSE_WIDTH] } },
});
const refusedRows = (model: string, x: Values, error: string): Step => ({
  op: 'infer',
  model,
  inputs: { x },
  expect: { error },
});

/** `dense` served with `rows` as its batch (its own 1, or a fixed shape or batch_size): other sizes refused. */
export function fixedDenseCells(model: string, rows = 1): Cell[] {
  const other = rows === 1 ? 3 : 1;
  return [
    {
      name: `${model}: metadata (${rows},${DENSE_WIDTH}), answers ${rows} rows, refuses ${other}`,
      steps: [
        { op: 'status', model, expect: { 1: 'AVAILABLE' } },
        denseMetadata(model, rows),
        denseRows(model, rows),
        refusedRows(
          model,
          denseInput(other),
          `Invalid input batch size - Expected: ${rows}; Actual: ${other}`,
        ),
      ],
    },
  ];
}

/**
 * `dense` with `shape: auto` or `batch_size: auto`: metadata shows (1,1024) until a request of
 * another size arrives, then the shape the model was reshaped to; every size answers.
 * `batch_size: auto` still checks the other dims.
 */
export function autoDenseCells(model: string, kind: 'shape' | 'batch'): Cell[] {
  const sizes = kind === 'shape' ? [2, 6, 3, 5, 4] : [1, 5, 2];
  const follow: Step[] = sizes.flatMap((rows) => [
    denseRows(model, rows),
    denseMetadata(model, rows),
  ]);
  const cells: Cell[] = [
    { name: `${model}: metadata before any request`, steps: [denseMetadata(model, 1)] },
    { name: `${model}: answers ${sizes.join(', ')} rows, metadata follows`, steps: follow },
  ];
  if (kind === 'batch') {
    cells.push({
      name: `${model}: a request of another width is refused`,
      steps: [refusedRows(model, denseInput(2, DENSE_WIDTH - 24), 'Invalid input shape')],
    });
  }
  return cells;
}

/** `nchw` with `layout: NHWC:NCHW`: clients send NHWC; the output stays the model's NCHW. */
export function layoutCells(model: string): Cell[] {
  const image = nhwcInput();
  return [
    {
      name: `${model}: metadata NHWC in, NCHW out; an NHWC image answers as transposed`,
      steps: [
        { op: 'status', model, expect: { 1: 'AVAILABLE' } },
        {
          op: 'metadata',
          model,
          expect: { inputs: { x: [1, 4, 4, 3] }, outputs: { y: [1, 3, 4, 4] } },
        },
        { op: 'infer', model, inputs: { x: image }, expect: { y: nchwOutputFromNhwc(image) } },
      ],
    },
  ];
}

/** `offset` (versions 1..3, version k adds k) under a policy serving `served`. */
export function versionCells(model: string, served: readonly number[]): Cell[] {
  const x = offsetInput(2);
  const outcomes: Record<number, VersionOutcome> = {};
  for (const version of [1, 2, 3])
    outcomes[version] = served.includes(version) ? 'AVAILABLE' : 'ABSENT';
  const latest = Math.max(...served);
  const perVersion: Step[] = [1, 2, 3].map((version) => ({
    op: 'infer',
    model,
    version,
    inputs: { x },
    expect: served.includes(version)
      ? { y: offsetOutput(x, version) }
      : { error: 'Model with requested version is not found' },
  }));
  return [
    {
      name: `${model}: versions ${served.join(', ')} served, the default is ${latest}`,
      steps: [
        { op: 'status', model, expect: outcomes },
        ...perVersion,
        { op: 'infer', model, inputs: { x }, expect: { y: offsetOutput(x, latest) } },
      ],
    },
  ];
}

/** A `dense` model that loaded with the option and answers. */
export function servesDenseCells(model: string): Cell[] {
  return [
    {
      name: `${model}: AVAILABLE and answers`,
      steps: [{ op: 'status', model, expect: { 1: 'AVAILABLE' } }, denseRows(model, 1)],
    },
  ];
}

/**
 * A model whose load was refused: status LOADING with error UNKNOWN (OVMS), not ready, and
 * requests for the version answered "not loaded yet". Why is in the log (loadFailureReasons).
 */
export function refusedCells(model: string, inputs: Readonly<Record<string, Values>>): Cell[] {
  return [
    {
      name: `${model}: the load is refused`,
      steps: [
        { op: 'status', model, expect: { 1: 'LOAD_FAILED' } },
        {
          op: 'infer',
          model,
          version: 1,
          inputs,
          expect: { error: 'Model with requested version is not loaded yet' },
        },
      ],
    },
  ];
}

/**
 * A pipeline of one DL node over `model`, an auto-batched `dense`: 2 and 5 rows answer, and the
 * model's metadata follows what the pipeline sent it.
 */
export function pipelineCells(pipeline: string, model: string): Cell[] {
  return [
    {
      name: `${pipeline}: answers 2 and 5 rows through its auto-batched model`,
      steps: [
        denseRows(pipeline, 2),
        denseMetadata(model, 2),
        denseRows(pipeline, 5),
        denseMetadata(model, 5),
      ],
    },
  ];
}
