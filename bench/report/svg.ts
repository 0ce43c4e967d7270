// Line charts as plain SVG text: the report needs two kinds (metric vs concurrency), so a
// chart library would be more code to learn than these hundred lines.

export interface ChartSeries {
  readonly name: string;
  /** One value per x; NaN where the series has no cell. */
  readonly values: readonly number[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Categorical x values, evenly spaced (concurrency 1, 4, 16 reads better so than on a scale). */
  readonly xs: readonly number[];
  readonly series: readonly ChartSeries[];
  /** Log10 y axis: latencies of the raw engine and of a JSON path differ by orders of magnitude. */
  readonly logY?: boolean;
}

const WIDTH = 820;
const HEIGHT = 400;
const MARGIN = { left: 70, right: 330, top: 40, bottom: 50 };
/** Distinguishable on white, in the order series are usually listed. */
const COLORS = [
  '#222222',
  '#1f77b4',
  '#2ca02c',
  '#17becf',
  '#9467bd',
  '#ff7f0e',
  '#d62728',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function formatTick(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value >= 10 ? value.toFixed(0) : value.toPrecision(2);
}

/** About five round ticks from 0 to at least `max`. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => i * step);
}

function logTicks(min: number, max: number): number[] {
  const from = Math.floor(Math.log10(min));
  const to = Math.ceil(Math.log10(max));
  return Array.from({ length: to - from + 1 }, (_, i) => 10 ** (from + i));
}

export function lineChart(options: LineChartOptions): string {
  const values = options.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const ticks = options.logY
    ? logTicks(Math.min(...values, 1), Math.max(...values, 10))
    : linearTicks(Math.max(...values, 1));
  const [lo, hi] = [ticks[0] ?? 0, ticks[ticks.length - 1] ?? 1];
  const scale = options.logY
    ? (v: number) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
    : (v: number) => (v - lo) / (hi - lo);
  const y = (v: number) => MARGIN.top + plotH * (1 - scale(v));
  const x = (i: number) =>
    MARGIN.left + (options.xs.length === 1 ? plotW / 2 : (plotW * i) / (options.xs.length - 1));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end">${formatTick(tick)}</text>`,
    );
  }
  options.xs.forEach((value, i) => {
    parts.push(
      `<text x="${x(i)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${value}</text>`,
    );
  });
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
  );
  options.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length] ?? '#000';
    const points = series.values
      .map((v, i) => ({ v, i }))
      .filter(({ v }) => Number.isFinite(v) && v > 0);
    if (points.length > 1) {
      const d = points.map(({ v, i }) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const { v, i } of points) {
      parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const legendY = MARGIN.top + 8 + index * 18;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 32}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 38}" y="${legendY + 4}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
