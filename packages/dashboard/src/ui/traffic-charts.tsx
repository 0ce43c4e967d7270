import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { TrafficHistory, TrafficSeries } from './traffic-history.js';

/** Distinct on white and in print; a model keeps its colour as long as the page is open. */
const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
];

export interface ChartLine {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dash?: readonly number[];
}

interface ChartProps {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly times: readonly number[];
  readonly lines: readonly ChartLine[];
}

/** The largest value drawn, exposed on the chart for tests and screen readers. */
function largest(lines: readonly ChartLine[]): number {
  let max = 0;
  for (const line of lines)
    for (const value of line.values) if (value !== null && value > max) max = value;
  return max;
}

/**
 * One uPlot time chart. The plot is rebuilt only when the set of lines changes; new points
 * go through `setData`, so polling redraws without reallocating the canvas.
 */
function Chart({ id, title, unit, times, lines }: ChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((line) => `${line.label}|${line.color}`).join(',');

  useEffect(() => {
    const element = holder.current;
    if (element === null) return undefined;
    const chart = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: 180,
        // Labels only: values under the cursor would crowd three small charts.
        legend: { show: true, live: false },
        // From zero, and at least to 1 so that an idle chart has a readable axis.
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [{}, { label: unit, size: 56 }],
        series: [
          {},
          ...lines.map((line) => ({
            label: line.label,
            stroke: line.color,
            width: 2,
            ...(line.dash !== undefined && { dash: [...line.dash] }),
            spanGaps: false,
          })),
        ],
      },
      [[], ...lines.map(() => [])],
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(240, element.clientWidth), height: 180 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The plot's options depend on the lines' labels and colours only: `shape` stands for them.
  }, [shape, unit]);

  useEffect(() => {
    plot.current?.setData([
      [...times],
      ...lines.map((line) => [...line.values]),
    ] as uPlot.AlignedData);
  });

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div
        ref={holder}
        data-testid={id}
        data-max={String(largest(lines))}
        data-points={String(times.length)}
      />
    </figure>
  );
}

export interface TrafficChartsProps {
  readonly history: TrafficHistory;
  /** Changes on every poll, so the charts take the new points. */
  readonly tick: number;
}

function linesOf(
  history: TrafficHistory,
  models: readonly string[],
  pick: (series: TrafficSeries) => readonly (number | null)[],
): ChartLine[] {
  return models.flatMap((name, index) => {
    const series = history.series(name);
    if (series === undefined) return [];
    return [
      { label: name, values: pick(series), color: PALETTE[index % PALETTE.length] ?? '#000' },
    ];
  });
}

/**
 * Request rate, errors and latency of every model over the last two minutes, one line per
 * model (p99 dashed beside p50). Models that never had a request are left out, so idle
 * servables do not crowd the legend.
 */
export function TrafficCharts({ history }: TrafficChartsProps) {
  const models = history
    .models()
    .filter(
      (name) =>
        (history.series(name)?.rate ?? []).some((value) => value !== null && value > 0) ||
        (history.totals(name)?.success ?? 0) + (history.totals(name)?.fail ?? 0) > 0,
    );
  const times = history.times;
  const latency = models.flatMap((name, index) => {
    const series = history.series(name);
    if (series === undefined) return [];
    const color = PALETTE[index % PALETTE.length] ?? '#000';
    return [
      { label: `${name} p50`, values: series.p50, color },
      { label: `${name} p99`, values: series.p99, color, dash: [6, 4] },
    ];
  });
  return (
    <section>
      <h2>Traffic</h2>
      {models.length === 0 && (
        <p class="muted">No requests yet: the charts start with the first one.</p>
      )}
      <div class="charts">
        <Chart
          id="chart-rate"
          title="Requests per second"
          unit="req/s"
          times={times}
          lines={linesOf(history, models, (s) => s.rate)}
        />
        <Chart
          id="chart-latency"
          title="Latency (p50, p99 dashed)"
          unit="ms"
          times={times}
          lines={latency}
        />
        <Chart
          id="chart-errors"
          title="Errors per second"
          unit="err/s"
          times={times}
          lines={linesOf(history, models, (s) => s.errors)}
        />
      </div>
    </section>
  );
}
