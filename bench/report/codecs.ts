// The REST JSON codec section of docs/performance.md: bench/codecs/rest.ts's rows from the same
// run, as a table, a chart of MB/s against tensor size, and the 150 MB/s target's verdict.
import type { RestCodecBenchResult } from '../codecs/rest.js';
import { lineChart } from './svg.js';
import type { TargetVerdict } from './targets.js';

/** Sizes in the order bench/codecs/rest.ts measures them, with their tensor MB for the chart. */
const SIZES = [
  { label: '1x3x224x224', mb: 0.6 },
  { label: '1 MB', mb: 1 },
  { label: '10 MB', mb: 10 },
] as const;
const TARGET_MB_PER_SEC = 150;

const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '–');

function splitPath(path: string): { size: string; what: string } {
  const size = SIZES.find((s) => path.startsWith(`${s.label} `))?.label ?? '';
  return { size, what: path.slice(size.length + 1).trim() };
}

/** Decode and encode rows of 1–10 MB tensors: what the target is judged on. */
function judged(results: readonly RestCodecBenchResult[]): RestCodecBenchResult[] {
  return results.filter((row) => {
    const { size, what } = splitPath(row.path);
    return (
      (size === '1 MB' || size === '10 MB') && /^(decode|encode) (TFS|KServe) .*JSON/.test(what)
    );
  });
}

export function codecVerdict(results: readonly RestCodecBenchResult[]): TargetVerdict {
  const rows = judged(results);
  const slowest = (kind: string) =>
    rows
      .filter((row) => splitPath(row.path).what.startsWith(kind))
      .reduce<RestCodecBenchResult | undefined>(
        (low, row) => (low === undefined || row.cpuMbPerSec < low.cpuMbPerSec ? row : low),
        undefined,
      );
  const measured = ['decode', 'encode'].flatMap((kind) => {
    const row = slowest(kind);
    return row === undefined
      ? []
      : [
          `slowest ${kind}: ${row.path}: ${fmt(row.cpuMbPerSec)} MB/s of CPU time (wall clock ${fmt(row.mbPerSec)})`,
        ];
  });
  return {
    target: `REST JSON codecs ≥ ${TARGET_MB_PER_SEC} MB/s decode and encode, FP32 1–10 MB (tensor MB per second of the process's CPU time)`,
    measured,
    met: rows.length === 0 ? undefined : rows.every((row) => row.cpuMbPerSec >= TARGET_MB_PER_SEC),
  };
}

/** The section's markdown lines and its chart (file name → SVG). */
export function codecSection(results: readonly RestCodecBenchResult[]): {
  lines: string[];
  charts: Map<string, string>;
} {
  const lines = [
    '## REST JSON codecs',
    '',
    '`bench/codecs/rest.ts` in the same run, after the servers stopped (`pnpm bench:codecs` runs ' +
      'it alone): FP32 tensors decoded from and encoded to TF Serving and KServe JSON in one ' +
      'process, beside what a codec built on the runtime pays for the same bodies ' +
      '(`JSON.parse` plus a copy into a Float32Array; `JSON.stringify` of the values). MB/s ' +
      'counts tensor bytes (4 per element). "float32 text" bodies carry the shortest text of ' +
      'each float32 (what ovms-ts writes), "double text" ones its double expansion ' +
      "(`JSON.stringify`'s and numpy `tolist()`'s, 0.10000000149011612). CPU time is this " +
      "process's own, which holds better than wall clock on a machine other work shares.",
    '',
    '| tensor | path | MB/s (wall clock) | MB/s (CPU time) |',
    '| --- | --- | ---: | ---: |',
    ...results.map((row) => {
      const { size, what } = splitPath(row.path);
      return `| ${size} | ${what} | ${fmt(row.mbPerSec)} | ${fmt(row.cpuMbPerSec)} |`;
    }),
    '',
  ];
  const shown = [
    'decode KServe JSON, float32 text',
    'decode KServe JSON, double text',
    'decode TFS row JSON, double text',
    'reference: JSON.parse+copy KServe, double text',
    'encode KServe JSON',
    'encode TFS row JSON',
    'reference: JSON.stringify of the values',
  ];
  const chart = lineChart({
    title: 'REST JSON codecs, FP32: MB/s of CPU time vs tensor size',
    xLabel: 'tensor MB',
    yLabel: 'tensor MB / s (CPU time)',
    xs: SIZES.map((s) => s.mb),
    series: shown.map((what) => ({
      name: what,
      values: SIZES.map(
        (s) =>
          results.find((row) => {
            const split = splitPath(row.path);
            return split.size === s.label && split.what === what;
          })?.cpuMbPerSec ?? NaN,
      ),
    })),
  });
  lines.push('![codecs-rest-json.svg](performance/codecs-rest-json.svg)', '');
  return { lines, charts: new Map([['codecs-rest-json.svg', chart]]) };
}
