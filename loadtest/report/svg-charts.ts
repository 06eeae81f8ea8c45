/**
 * The report's charts, drawn here as inline SVG (no CDN, no script needed to see them): time
 * series lines with hover data, bars over time, and percentile bars per endpoint.
 */
import { escapeHtml, fmt } from './html-text';
import type { LabelStats } from './model';
import { niceTicks } from './stats';

// Series colours. Red and amber are kept for errors and 429s, so no endpoint or shard is drawn in them.
export const PALETTE = ['#2563eb', '#059669', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4f46e5', '#0d9488', '#9333ea', '#475569'];
export const ERROR_COLOR = '#b91c1c';
export const THROTTLED_COLOR = '#d97706';
export const TOKEN_COLOR = '#9ca3af';
export const ACHIEVED_COLOR = '#111827';
/** Drawn last, dashed and thick, so the plan stays visible over the achieved line. */
export const PLANNED_COLOR = '#c026d3';
export const PLANNED_DASH = '10 6';
// Lines of equal value hide each other: each series of a chart also gets its own dash pattern.
export const DASHES = ['', '9 5', '2 4', '14 4 3 4', '5 3'];
/** Colours and dash patterns reach SVG attributes and the hover script: only these shapes pass. */
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
const DASH_PATTERN = /^[0-9. ]*$/;
const safeColor = (c: string | undefined, fallback: string): string => (c !== undefined && COLOR_PATTERN.test(c) ? c : fallback);
const safeDash = (d: string | undefined, fallback: string): string => (d !== undefined && DASH_PATTERN.test(d) ? d : fallback);
const W = 960;
const H = 300;
const M = { top: 16, right: 24, bottom: 40, left: 64 };

function clock(ms: number, originMs: number): string {
  const s = Math.round((ms - originMs) / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Bucket indexes to label on a time axis: multiples of a clock-friendly step (10 s, 1 min, 5 min, ...). */
function timeTickIndexes(t: readonly number[]): number[] {
  if (t.length < 2) return t.length ? [0] : [];
  const bucketSec = (t[1] - t[0]) / 1000;
  const span = (t[t.length - 1] - t[0]) / 1000;
  const step =
    [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].find((s) => s >= bucketSec && span / s <= 10) ?? Math.ceil(span / 10);
  const every = Math.max(1, Math.round(step / bucketSec));
  const out: number[] = [];
  for (let i = 0; i < t.length; i += every) out.push(i);
  return out;
}

export interface LineSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
  /** A stroke-dasharray; default: the series' own pattern (DASHES). */
  readonly dash?: string;
  readonly color?: string;
  readonly width?: number;
}

export interface ChartFrame {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly note?: string;
}

function legend(series: readonly { name: string; color: string; dash?: string; width?: number }[]): string {
  return `<div class="legend">${series
    .map(
      (s) =>
        `<span data-name="${escapeHtml(s.name)}"><svg width="28" height="8" aria-hidden="true"><line x1="0" x2="28" y1="4" y2="4" stroke="${s.color}" stroke-width="${s.width ?? 2.5}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/></svg>${escapeHtml(s.name)}</span>`,
    )
    .join('')}</div>`;
}

function figure(frame: ChartFrame, body: string, kind: string, seriesCount: number, pointCount: number, extra = ''): string {
  return `<figure class="chart" id="chart-${frame.id}" data-chart="${frame.id}" data-kind="${kind}" data-series="${seriesCount}" data-points="${pointCount}">
<figcaption>${escapeHtml(frame.title)} <small>${escapeHtml(frame.unit)}</small></figcaption>
${body}${extra}${frame.note ? `<p class="note">${escapeHtml(frame.note)}</p>` : ''}
</figure>`;
}

function emptyChart(frame: ChartFrame, message: string): string {
  return `<figure class="chart" id="chart-${frame.id}" data-chart="${frame.id}" data-kind="empty" data-series="0" data-points="0">
<figcaption>${escapeHtml(frame.title)} <small>${escapeHtml(frame.unit)}</small></figcaption>
<p class="empty">${escapeHtml(message)}</p></figure>`;
}

/** A time-series line chart; null values break the line. */
export function lineChart(frame: ChartFrame, t: readonly number[], series: readonly LineSeries[], yFormat = (v: number) => fmt(v)): string {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (t.length === 0 || values.length === 0) return emptyChart(frame, 'No data in this window.');
  const yMax = Math.max(...values) || 1;
  const yTicks = niceTicks(0, yMax * 1.05, 5);
  const top = yTicks[yTicks.length - 1] || 1;
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const x = (i: number): number => M.left + (t.length === 1 ? iw / 2 : (i / (t.length - 1)) * iw);
  const y = (v: number): number => M.top + ih - (v / top) * ih;
  const origin = t[0];
  const xTickIdx = timeTickIndexes(t);
  const grid = yTicks
    .map(
      (v) =>
        `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(yFormat(v))}</text>`,
    )
    .join('');
  const xAxis = xTickIdx
    .map((i) => `<text class="tick" x="${x(i).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${clock(t[i], origin)}</text>`)
    .join('');
  const colored = series.map((s, k) => ({
    ...s,
    color: safeColor(s.color, PALETTE[k % PALETTE.length]),
    dash: safeDash(s.dash, DASHES[k % DASHES.length]),
  }));
  let points = 0;
  const paths = colored
    .map((s) => {
      let d = '';
      let pen = false;
      let count = 0;
      s.values.forEach((v, i) => {
        if (v === null) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
        pen = true;
        count++;
      });
      points += count;
      // A single point would be invisible as a line: draw it as a dot.
      const dots =
        count === 1
          ? s.values
              .map((v, i) => (v === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`))
              .join('')
          : '';
      return `<path class="series" data-name="${escapeHtml(s.name)}" data-points="${count}" d="${d}" stroke="${s.color}"${s.width ? ` stroke-width="${s.width}"` : ''}${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>${dots}`;
    })
    .join('');
  const data = escapeHtml(JSON.stringify({ t: t.map((v) => v - origin), s: colored.map((s) => ({ n: s.name, c: s.color, v: s.values })) }));
  const svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(frame.title)}" data-hover="${data}">
<g>${grid}</g><line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + ih}" y2="${M.top + ih}"/>${xAxis}
<text class="tick" x="${W - M.right}" y="${H - 4}" text-anchor="end">elapsed (mm:ss)</text>
<g class="plot" data-x0="${M.left}" data-x1="${W - M.right}">${paths}</g>
<line class="cursor" x1="0" x2="0" y1="${M.top}" y2="${M.top + ih}" visibility="hidden"/></svg>`;
  return figure(frame, svg, 'line', colored.length, points, legend(colored));
}

/** Bars over time (one per bucket with a value). */
export function barChart(
  frame: ChartFrame,
  t: readonly number[],
  values: readonly number[],
  options: { readonly color?: string; readonly empty: string; readonly unit: string },
): string {
  const color = safeColor(options.color, THROTTLED_COLOR);
  const max = Math.max(0, ...values);
  if (t.length === 0 || max === 0) return emptyChart(frame, options.empty);
  const yTicks = niceTicks(0, max * 1.05, 5);
  const top = yTicks[yTicks.length - 1] || 1;
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const bw = iw / t.length;
  const y = (v: number): number => M.top + ih - (v / top) * ih;
  const origin = t[0];
  const grid = yTicks
    .map(
      (v) =>
        `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    )
    .join('');
  const xAxis = timeTickIndexes(t)
    .map(
      (i) =>
        `<text class="tick" x="${(M.left + (i + 0.5) * bw).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${clock(t[i], origin)}</text>`,
    )
    .join('');
  let count = 0;
  const bars = values
    .map((v, i) => {
      if (!(v > 0)) return '';
      count++;
      const h = Math.max(1, ih - (y(v) - M.top));
      return `<rect class="bar" x="${(M.left + i * bw + bw * 0.1).toFixed(1)}" y="${(M.top + ih - h).toFixed(1)}" width="${Math.max(1, bw * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${clock(t[i], origin)}: ${fmt(v)} ${escapeHtml(options.unit)}</title></rect>`;
    })
    .join('');
  const svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(frame.title)}"><g>${grid}</g>
<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + ih}" y2="${M.top + ih}"/>${xAxis}<g class="plot">${bars}</g></svg>`;
  return figure(frame, svg, 'bar', 1, count);
}

/** Horizontal grouped bars: p50/p90/p99 per endpoint. */
export function percentileBars(frame: ChartFrame, rows: readonly LabelStats[]): string {
  const withData = rows.filter((r) => r.latencyMs);
  if (withData.length === 0) return emptyChart(frame, 'No samples.');
  const keys = [
    { k: 'p50', color: PALETTE[0] },
    { k: 'p90', color: PALETTE[1] },
    { k: 'p99', color: PALETTE[2] },
  ] as const;
  // The endpoint's whole name on its own line above its bars: long paths stay readable.
  const left = M.left;
  const labelH = 18;
  const rowH = labelH + 3 * 15 + 12;
  const h = M.top + withData.length * rowH + 30;
  const max = Math.max(...withData.map((r) => r.latencyMs!.p99));
  const ticks = niceTicks(0, max * 1.05 || 1, 6);
  const top = ticks[ticks.length - 1] || 1;
  const iw = W - left - M.right;
  const x = (v: number): number => left + (v / top) * iw;
  let count = 0;
  const grid = ticks
    .map(
      (v) =>
        `<line class="grid" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${M.top}" y2="${h - 30}"/><text class="tick" x="${x(v).toFixed(1)}" y="${h - 12}" text-anchor="middle">${fmt(v)}</text>`,
    )
    .join('');
  const bars = withData
    .map((r, ri) => {
      const y0 = M.top + ri * rowH;
      const parts = keys.map(({ k, color }, ki) => {
        const v = r.latencyMs![k];
        count++;
        return `<rect class="bar" x="${left}" y="${y0 + labelH + ki * 15}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="13" fill="${color}"><title>${escapeHtml(r.label)} ${k}: ${v} ms</title></rect><text class="value" x="${(x(v) + 4).toFixed(1)}" y="${y0 + labelH + 11 + ki * 15}">${k} ${fmt(v)}</text>`;
      });
      return `<text class="rowlabel" x="${left}" y="${y0 + 12}">${escapeHtml(r.label)}</text>${parts.join('')}`;
    })
    .join('');
  const svg = `<svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${escapeHtml(frame.title)}"><g>${grid}</g><g class="plot">${bars}</g></svg>`;
  return figure(frame, svg, 'hbar', keys.length, count, legend(keys.map(({ k, color }) => ({ name: k, color, width: 8 }))));
}

/** Response-time distribution of one endpoint: bars per bin, the last bin holding the slow tail. */
export function histogramChart(frame: ChartFrame, binMs: number, counts: readonly number[], fill = PALETTE[0]): string {
  const color = safeColor(fill, PALETTE[0]);
  const max = Math.max(0, ...counts);
  if (counts.length === 0 || max === 0) return emptyChart(frame, 'No samples.');
  const w = 480;
  const h = 200;
  const m = { top: 10, right: 16, bottom: 34, left: 56 };
  const iw = w - m.left - m.right;
  const ih = h - m.top - m.bottom;
  const bw = iw / counts.length;
  const yTicks = niceTicks(0, max * 1.05, 4);
  const top = yTicks[yTicks.length - 1] || 1;
  const y = (v: number): number => m.top + ih - (v / top) * ih;
  const grid = yTicks
    .map(
      (v) =>
        `<line class="grid" x1="${m.left}" x2="${w - m.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    )
    .join('');
  const every = Math.max(1, Math.ceil(counts.length / 6));
  let drawn = 0;
  const bars = counts
    .map((v, k) => {
      const from = k * binMs;
      const range = k === counts.length - 1 ? `>= ${fmt(from)} ms` : `${fmt(from)}-${fmt(from + binMs)} ms`;
      const label =
        k % every === 0
          ? `<text class="tick" x="${(m.left + k * bw).toFixed(1)}" y="${h - m.bottom + 16}" text-anchor="middle">${fmt(from)}</text>`
          : '';
      if (!(v > 0)) return label;
      drawn++;
      const bh = Math.max(1, m.top + ih - y(v));
      return `${label}<rect class="bar" x="${(m.left + k * bw + 1).toFixed(1)}" y="${(m.top + ih - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${color}"><title>${range}: ${v}</title></rect>`;
    })
    .join('');
  const svg = `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(frame.title)}"><g>${grid}</g>
<line class="axis" x1="${m.left}" x2="${w - m.right}" y1="${m.top + ih}" y2="${m.top + ih}"/><text class="tick" x="${w - m.right}" y="${h - 4}" text-anchor="end">ms (last bar: the tail)</text><g class="plot">${bars}</g></svg>`;
  return figure(frame, svg, 'bar', 1, drawn);
}
