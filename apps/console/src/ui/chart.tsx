import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** A CSS colour for the line or bars. */
  color: string;
}

interface ChartProps {
  /** Read by screen readers; the chart itself is a canvas. */
  title: string;
  /** Unix seconds, ascending. */
  x: number[];
  series: ChartSeries[];
  /** How a value is written on the axis and in the legend, with its unit. */
  format: (value: number) => string;
  bars?: boolean;
  /** x values are UTC days (their midnights): one tick per day, labelled with the UTC date. */
  days?: boolean;
  height?: number;
}

const DAY_S = 86_400;
const MAX_DAY_LABELS = 12;

/** A UTC day as the viewer's locale writes a short date, e.g. `Dec 4`. */
const dayLabel = (seconds: number) =>
  new Date(seconds * 1000).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * A time-series chart (uPlot: canvas, ~50 KB, no inline styles needed). Times are in the viewer's zone,
 * as everywhere in the console; the legend shows the values under the cursor.
 */
export function Chart({ title, x, series, format, bars = false, days = false, height = 180 }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const legendValue = (_u: uPlot, value: number | null) => (value === null ? '—' : format(value));
    const dayStep = Math.ceil(x.length / MAX_DAY_LABELS);
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      series: [
        days ? { label: 'Day', value: (_u, value: number | null) => (value === null ? '—' : dayLabel(value)) } : {},
        ...series.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          fill: bars ? line.color : undefined,
          paths: bars ? uPlot.paths.bars?.({ size: [0.6, 40] }) : undefined,
          // A line with gaps (buckets without requests) may be single points: draw them.
          points: { show: !bars && line.values.includes(null), size: 5 },
          spanGaps: false,
          value: legendValue,
        })),
      ],
      axes: [
        days
          ? {
              splits: () => x.filter((_, i) => i % dayStep === 0),
              values: (_u, splits) => splits.map(dayLabel),
            }
          : {},
        { values: (_u, splits) => splits.map(format), size: 70 },
      ],
      scales: {
        x: days ? { time: false, range: (_u, min, max) => [min - DAY_S / 2, max + DAY_S / 2] } : {},
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(options, [x, ...series.map((line) => line.values)], element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 200), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, format, bars, days, height]);

  return <div class="chart" ref={container} role="img" aria-label={title} />;
}
