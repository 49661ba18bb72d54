// Price against performance (GET /performance?include_cost=true): blended $/1M (3 input : 1 output, the tools'
// own figure) against throughput or context window, on uPlot. A point opens its model: by mouse (the nearest
// point within reach of the click) or by keyboard (arrow keys walk the points, Enter opens).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { byId, h } from '../shared/dom.js';
import { int, rate, tokensShort } from '../shared/format.js';
import { cssColour } from '../shared/theme.js';
import type { ChartAxis } from './state.js';

/** One row of get_performance_metrics with include_cost (the fields the chart reads). */
export interface PerformanceRow {
  key: string;
  name: string;
  provider: string;
  throughput_tps: number | null;
  context_window: number | null;
  blended_cost_per_1m: number | null;
  estimate: boolean;
}

interface Point {
  row: PerformanceRow;
  x: number;
  y: number;
}

/** How far (CSS pixels) a click may land from a point and still open it. */
const REACH_PX = 14;

export interface PriceChart {
  /** Redraws for another axis or theme. */
  draw(axis: ChartAxis): void;
}

export function mountChart(rows: readonly PerformanceRow[], initialAxis: ChartAxis, open: (key: string) => void): PriceChart {
  const box = byId('chart');
  const caption = byId('chart-caption');
  const defaultCaption = caption.textContent ?? '';
  box.tabIndex = 0;
  box.setAttribute('aria-describedby', 'chart-caption');
  const marker = h('div', { class: 'chart-marker', id: 'chart-marker' });
  marker.hidden = true;

  let plot: uPlot | undefined;
  let points: Point[] = [];
  let axis: ChartAxis = 'throughput';
  let current = -1;

  const describe = (p: Point): string =>
    `${p.row.name} (${p.row.provider}): ${rate(p.y)} per 1M blended, ` +
    (axis === 'throughput' ? `${int(p.x)} tokens/s` : `${tokensShort(p.x)} context`) +
    `${p.row.estimate ? ' (estimated figures)' : ''}. Press Enter or click to open it.`;

  const select = (i: number): void => {
    current = i;
    const p = points[i];
    if (!p || !plot) {
      marker.hidden = true;
      caption.textContent = defaultCaption;
      return;
    }
    marker.hidden = false;
    marker.style.left = `${plot.valToPos(p.x, 'x')}px`;
    marker.style.top = `${plot.valToPos(p.y, 'y')}px`;
    marker.dataset.key = p.row.key;
    caption.textContent = describe(p);
  };

  /** The point nearest to a position over the plot, if one is within reach. */
  const nearest = (left: number, top: number): number => {
    let best = -1;
    let bestD = REACH_PX * REACH_PX;
    points.forEach((p, i) => {
      const dx = plot!.valToPos(p.x, 'x') - left;
      const dy = plot!.valToPos(p.y, 'y') - top;
      const d = dx * dx + dy * dy;
      if (d <= bestD) [best, bestD] = [i, d];
    });
    return best;
  };

  const draw = (next: ChartAxis): void => {
    axis = next;
    plot?.destroy();
    points = rows
      .map((row) => ({ row, x: (axis === 'throughput' ? row.throughput_tps : row.context_window) ?? 0, y: row.blended_cost_per_1m ?? 0 }))
      .filter((p) => p.x > 0 && p.y > 0)
      .sort((a, b) => a.x - b.x || a.y - b.y);
    const text = cssColour('--text');
    const grid = cssColour('--chart-grid');
    const colour = cssColour('--chart-point');
    const axisStyle = { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } };
    plot = new uPlot(
      {
        width: Math.max(280, box.clientWidth),
        height: 320,
        legend: { show: false },
        cursor: { x: false, y: false, points: { show: false }, drag: { x: false, y: false } },
        scales: { x: { time: false, distr: axis === 'context' ? 3 : 1 }, y: { distr: 3 } },
        axes: [
          {
            ...axisStyle,
            label: axis === 'throughput' ? 'Throughput (tokens/s)' : 'Context window (tokens)',
            values: (_u, ticks) => ticks.map((t) => (t === null ? '' : tokensShort(t))),
          },
          {
            ...axisStyle,
            label: 'Blended $ per 1M tokens',
            size: 60,
            values: (_u, ticks) => ticks.map((t) => (t === null ? '' : `$${t}`)),
          },
        ],
        series: [
          {},
          {
            label: 'Blended $/1M',
            stroke: colour,
            fill: colour,
            paths: () => null,
            points: { show: true, size: 8, stroke: colour, fill: colour },
          },
        ],
      },
      [points.map((p) => p.x), points.map((p) => p.y)],
      box,
    );
    plot.over.append(marker);
    select(-1);
  };

  box.addEventListener('click', (ev) => {
    if (!plot) return;
    const r = plot.over.getBoundingClientRect();
    const i = nearest(ev.clientX - r.left, ev.clientY - r.top);
    if (i >= 0) open(points[i]!.row.key);
  });
  box.addEventListener('mousemove', (ev) => {
    if (!plot) return;
    const r = plot.over.getBoundingClientRect();
    const i = nearest(ev.clientX - r.left, ev.clientY - r.top);
    if (i !== current && i >= 0) select(i);
  });
  box.addEventListener('keydown', (ev) => {
    if (points.length === 0) return;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowUp') select((current + 1) % points.length);
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowDown') select((current - 1 + points.length) % points.length);
    else if (ev.key === 'Enter' && current >= 0) open(points[current]!.row.key);
    else return;
    ev.preventDefault();
  });
  let width = box.clientWidth;
  new ResizeObserver(() => {
    if (plot && box.clientWidth !== width) {
      width = box.clientWidth;
      plot.setSize({ width: Math.max(280, width), height: 320 });
      select(current);
    }
  }).observe(box);
  draw(initialAxis);
  return { draw };
}
