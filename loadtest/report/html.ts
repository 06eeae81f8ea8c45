/**
 * Renders a report as one self-contained HTML file: inline CSS, charts drawn as inline SVG here
 * (no CDN, no script needed to see them), a few lines of inline script for hover read-outs, and
 * the report JSON embedded for tools.
 */
import { TOKEN_LABEL } from '../labels';
import { formatChange, METRICS, thresholdText, type Comparison, type EndpointComparison, type MetricName } from './compare';
import { plannedRequestsPerSec, type LabelStats, type Report, type ReportLink } from './report';
import { niceTicks } from './stats';

// Series colours. Red and amber are kept for errors and 429s, so no endpoint or shard is drawn in them.
const PALETTE = ['#2563eb', '#059669', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4f46e5', '#0d9488', '#9333ea', '#475569'];
const ERROR_COLOR = '#b91c1c';
const THROTTLED_COLOR = '#d97706';
const TOKEN_COLOR = '#9ca3af';
const ACHIEVED_COLOR = '#111827';
const PLANNED_COLOR = '#cbd5e1';
// Lines of equal value hide each other: each series of a chart also gets its own dash pattern.
const DASHES = ['', '9 5', '2 4', '14 4 3 4', '5 3'];
const W = 960;
const H = 300;
const M = { top: 16, right: 24, bottom: 40, left: 64 };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number, digits = 1): string =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10 ** digits) / 10 ** digits);
const pct = (share: number): string => `${fmt(share * 100, 2)} %`;

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

interface ChartFrame {
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
    color: s.color ?? PALETTE[k % PALETTE.length],
    dash: s.dash ?? DASHES[k % DASHES.length],
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
export function barChart(frame: ChartFrame, t: readonly number[], values: readonly number[], color = THROTTLED_COLOR): string {
  const max = Math.max(0, ...values);
  if (t.length === 0 || max === 0) return emptyChart(frame, 'No 429 responses, so no Retry-After waits.');
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
      return `<rect class="bar" x="${(M.left + i * bw + bw * 0.1).toFixed(1)}" y="${(M.top + ih - h).toFixed(1)}" width="${Math.max(1, bw * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${clock(t[i], origin)}: ${fmt(v)} s</title></rect>`;
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

function linkRow(name: string, link: ReportLink | undefined, missing: string): string {
  if (!link) return `<tr><th>${name}</th><td class="muted">${escapeHtml(missing)}</td></tr>`;
  const console = link.consoleUrl ? ` <a href="${escapeHtml(link.consoleUrl)}">open in the AWS console</a>` : '';
  const main = /^https?:\/\//.test(link.uri)
    ? `<a href="${escapeHtml(link.uri)}">${escapeHtml(link.uri)}</a>`
    : `<code>${escapeHtml(link.uri)}</code>`;
  return `<tr><th>${name}</th><td>${main}${console}</td></tr>`;
}

function statRows(rows: readonly LabelStats[], planned?: (label: string) => number | undefined): string {
  return rows
    .map((r) => {
      const l = r.latencyMs;
      const p = planned?.(r.label);
      const plannedCell = planned ? `<td>${p === undefined ? '–' : fmt(p / 60, 2)}</td>` : '';
      return `<tr><td class="label">${escapeHtml(r.label)}</td><td>${r.requests.toLocaleString('en-US')}</td>${plannedCell}<td>${fmt(r.throughputPerSec, 2)}</td><td>${l ? fmt(l.p50) : '–'}</td><td>${l ? fmt(l.p90) : '–'}</td><td>${l ? fmt(l.p99) : '–'}</td><td>${l ? fmt(l.max) : '–'}</td><td${r.errorShare > 0 ? ' class="bad"' : ''}>${pct(r.errorShare)}</td><td${r.throttled > 0 ? ' class="bad"' : ''}>${pct(r.throttledShare)}</td><td>${r.retryAfter.waits}</td><td>${fmt(r.retryAfter.totalSec)}</td></tr>`;
    })
    .join('\n');
}

const CSS = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--card:#fff;--bad:#b91c1c}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px;background:#0f172a;color:#f8fafc}header h1{margin:0 0 4px;font-size:20px}header p{margin:0;color:#cbd5e1}
main{max-width:1040px;margin:0 auto;padding:20px 16px 48px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px;margin-bottom:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}.card b{display:block;font-size:20px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.card span{color:var(--muted);font-size:12px}
.card.bad b{color:var(--bad)}
section{margin-top:28px}h2{font-size:16px;margin:0 0 10px}
figure.chart{margin:0 0 18px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 12px 8px;position:relative}
figcaption{font-weight:600;margin-bottom:6px}figcaption small{color:var(--muted);font-weight:400}
svg{width:100%;height:auto;display:block}.grid{stroke:var(--line)}.axis{stroke:#9ca3af}.tick{fill:var(--muted);font-size:11px}
.series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-opacity:.9}.cursor{stroke:#9ca3af;stroke-dasharray:3 3}
.rowlabel{font-size:12px;fill:var(--fg)}.value{font-size:10px;fill:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin-top:4px}
.tip{position:absolute;pointer-events:none;background:#111827;color:#f9fafb;font-size:12px;padding:6px 8px;border-radius:6px;white-space:nowrap;display:none}
.empty{color:var(--muted);padding:24px;text-align:center;margin:0}.note{color:var(--muted);font-size:12px;margin:4px 0 0}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}td.label{white-space:normal}th{background:#f3f4f6;font-weight:600}
td.label,th.label,table.kv th,table.kv td{text-align:left}td.bad{color:var(--bad);font-weight:600}.muted{color:var(--muted)}
#comparison td{white-space:normal;font-size:12px}#comparison td.label{min-width:240px}
.verdict{font-weight:600;margin:0 0 10px}.verdict.bad,.flag{color:var(--bad)}.verdict.good{color:#047857}.flag{font-size:11px;text-transform:uppercase;margin-right:4px}
.legend span{display:inline-flex;align-items:center;gap:6px;overflow-wrap:anywhere}.legend svg{width:28px;height:8px;flex:none}
.warn{background:#fef3c7;border:1px solid #fcd34d;border-radius:8px;padding:8px 12px;margin-bottom:12px}
code{font-size:12px}`;

/** Hover read-out for line charts: the values of every series at the bucket under the cursor. */
const SCRIPT = `
document.querySelectorAll('svg[data-hover]').forEach(function (svg) {
  var data = JSON.parse(svg.getAttribute('data-hover'));
  var plot = svg.querySelector('.plot'); var cursor = svg.querySelector('.cursor');
  var x0 = +plot.getAttribute('data-x0'), x1 = +plot.getAttribute('data-x1');
  var tip = document.createElement('div'); tip.className = 'tip'; svg.parentNode.appendChild(tip);
  svg.addEventListener('mousemove', function (e) {
    var box = svg.getBoundingClientRect(); var vx = (e.clientX - box.left) * (svg.viewBox.baseVal.width / box.width);
    var n = data.t.length; var i = n === 1 ? 0 : Math.round((vx - x0) / (x1 - x0) * (n - 1));
    if (i < 0 || i >= n) { tip.style.display = 'none'; cursor.setAttribute('visibility', 'hidden'); return; }
    var cx = n === 1 ? (x0 + x1) / 2 : x0 + i / (n - 1) * (x1 - x0);
    cursor.setAttribute('x1', cx); cursor.setAttribute('x2', cx); cursor.setAttribute('visibility', 'visible');
    var s = Math.round(data.t[i] / 1000), lines = ['+' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0')];
    data.s.forEach(function (d) { var v = d.v[i]; lines.push('<span style="color:' + d.c + '">\\u25A0</span> ' + d.n + ': ' + (v === null ? '\\u2013' : v)); });
    tip.innerHTML = lines.join('<br>'); tip.style.display = 'block';
    tip.style.left = Math.min(e.clientX - box.left + 16, box.width - tip.offsetWidth) + 'px'; tip.style.top = (e.clientY - box.top + 24) + 'px';
  });
  svg.addEventListener('mouseleave', function () { tip.style.display = 'none'; cursor.setAttribute('visibility', 'hidden'); });
});`;

/** Throughput per endpoint, all endpoints together, and the planned rate when the report knows it. */
function throughputSeries(report: Report): LineSeries[] {
  const labels = Object.keys(report.series.byLabel);
  const endpoints = labels.filter((l) => l !== TOKEN_LABEL);
  const series: LineSeries[] = endpoints.map((l, k) => ({
    name: l,
    values: report.series.byLabel[l].requestsPerSec,
    color: PALETTE[k % PALETTE.length],
    dash: DASHES[k % DASHES.length],
  }));
  if (labels.includes(TOKEN_LABEL)) {
    series.push({
      name: `${TOKEN_LABEL} (token requests)`,
      values: report.series.byLabel[TOKEN_LABEL].requestsPerSec,
      color: TOKEN_COLOR,
      dash: '1 3',
    });
  }
  // The planned rate is a wide light band drawn first, so the achieved line stays visible on top of it.
  const planned: LineSeries[] = report.target
    ? [
        {
          name: `planned, all endpoints (${fmt(report.target.requestsPerMinute)}/min)`,
          values: plannedRequestsPerSec(report, report.target.requestsPerMinute),
          color: PLANNED_COLOR,
          dash: '',
          width: 8,
        },
      ]
    : [];
  return [
    ...planned,
    ...series,
    { name: 'achieved, all endpoints', values: report.series.all.requestsPerSec, color: ACHIEVED_COLOR, dash: '', width: 2.4 },
  ];
}

function comparisonRow(e: EndpointComparison): string {
  const cell = (m: MetricName): string =>
    `<td${e.metrics[m].worse ? ' class="bad"' : ''} data-metric="${m}" data-worse="${e.metrics[m].worse}">${escapeHtml(formatChange(m, e.metrics[m]))}</td>`;
  const name = `${escapeHtml(e.label)}${e.presentIn === 'both' ? '' : ` <span class="muted">(only in ${e.presentIn})</span>`}`;
  return `<tr data-endpoint="${escapeHtml(e.label)}" data-worse="${e.worse}"><td class="label">${e.worse ? '<b class="flag">worse</b> ' : ''}${name}</td>${METRICS.map(cell).join('')}</tr>`;
}

/** The comparison with a baseline run, when there is one. */
function comparisonSection(c: Comparison): string {
  const verdict = c.regressions.length
    ? `<p class="verdict bad">${c.regressions.length} regression(s) beyond the thresholds: ${c.regressions.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}</p>`
    : '<p class="verdict good">No regression beyond the thresholds.</p>';
  return `<section id="comparison" data-regressions="${c.regressions.length}"><h2>Compared with ${escapeHtml(c.baselineTestId)}</h2>${verdict}
<table><thead><tr><th class="label">endpoint (baseline → current)</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>req/s</th><th>errors %</th><th>429 %</th></tr></thead>
<tbody>${c.endpoints.map(comparisonRow).join('\n')}
${comparisonRow(c.totals)}</tbody></table>
<p class="note">${escapeHtml(thresholdText(c.thresholds))}. Token requests are not compared.</p></section>`;
}

export interface RenderOptions {
  /** The comparison with a baseline run (npm run report -- --baseline). */
  readonly comparison?: Comparison;
}

/** The whole page. */
export function renderHtml(report: Report, options: RenderOptions = {}): string {
  const t = report.series.t;
  const tot = report.totals;
  const target = report.target;
  const charts = [
    lineChart(
      {
        id: 'throughput',
        title: target ? 'Throughput per endpoint, achieved and planned' : 'Throughput per endpoint',
        unit: `requests/s, ${report.bucketSec} s buckets`,
        note: target
          ? `Planned: ${fmt(target.requestsPerMinute)} requests/min over all shards after a ${fmt(target.rampUpSec)} s ramp-up (from ${target.source}).`
          : 'No planned rate known: pass --plan <scenario>.summary.json or --target-rpm to draw it.',
      },
      t,
      throughputSeries(report),
    ),
    lineChart(
      {
        id: 'latency',
        title: 'Response time, all endpoints',
        unit: 'ms',
        note: 'Percentiles of all samples in each bucket, across every shard (nearest rank).',
      },
      t,
      [
        { name: 'p50', values: report.series.all.latencyMs.p50, color: PALETTE[0], dash: '' },
        { name: 'p90', values: report.series.all.latencyMs.p90, color: PALETTE[1], dash: '' },
        { name: 'p99', values: report.series.all.latencyMs.p99, color: PALETTE[2], dash: '' },
      ],
    ),
    lineChart(
      { id: 'errors', title: 'Error and 429 share', unit: '% of requests per bucket' },
      t,
      [
        {
          name: 'errors (all failures, 429 included)',
          values: report.series.all.errorShare.map((v) => (v === null ? null : v * 100)),
          color: ERROR_COLOR,
          dash: '',
        },
        {
          name: '429 Too Many Requests',
          values: report.series.all.throttledShare.map((v) => (v === null ? null : v * 100)),
          color: THROTTLED_COLOR,
          dash: '7 4',
        },
      ],
      (v) => `${fmt(v)} %`,
    ),
    barChart(
      { id: 'retry-after', title: 'Retry-After waits', unit: 'seconds waited per bucket, all threads' },
      t,
      report.series.all.retryAfterSec,
    ),
    percentileBars({ id: 'percentiles', title: 'Response time percentiles per endpoint', unit: 'ms, all shards merged' }, report.endpoints),
    lineChart(
      {
        id: 'shards',
        title: 'Requests per shard',
        unit: 'requests/s',
        note: 'Shards started together should overlap; a late or missing line is a shard that started late or failed.',
      },
      t,
      Object.entries(report.series.requestsPerSecByShard).map(([name, values]) => ({ name, values })),
    ),
  ];
  // Planned requests/min of a table row (ALL = the whole plan), when the report knows the plan.
  const planned = target
    ? (label: string): number | undefined => (label === 'ALL' ? target.requestsPerMinute : target.byLabel[label])
    : undefined;
  const l = tot.latencyMs;
  const cards = [
    ['requests', tot.requests.toLocaleString('en-US'), false],
    ['requests/s (mean)', fmt(tot.throughputPerSec, 2), false],
    ['p50 ms', l ? fmt(l.p50) : '–', false],
    ['p90 ms', l ? fmt(l.p90) : '–', false],
    ['p99 ms', l ? fmt(l.p99) : '–', false],
    ['errors', pct(tot.errorShare), tot.errors > 0],
    [`429 responses (${pct(tot.throttledShare)})`, tot.throttled.toLocaleString('en-US'), tot.throttled > 0],
    ['Retry-After waited', `${fmt(tot.retryAfter.totalSec)} s`, tot.retryAfter.waits > 0],
    ['shards', String(report.shards.length), false],
  ] as const;
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Load test ${escapeHtml(report.testId)} – genesys-loadlab</title><style>${CSS}</style></head>
<body><header><h1>Load test ${escapeHtml(report.testId)}</h1>
<p>${report.window.start ? `${escapeHtml(report.window.start)} → ${escapeHtml(report.window.end ?? '')} (${fmt(report.window.durationSec)} s)` : 'no samples'} · ${report.shards.length} shard(s) · generated ${escapeHtml(report.generatedAt)}</p></header>
<main>
${report.warnings.map((w) => `<div class="warn">${escapeHtml(w)}</div>`).join('\n')}
<div class="cards">${cards.map(([k, v, bad]) => `<div class="card${bad ? ' bad' : ''}"><b>${escapeHtml(v)}</b><span>${escapeHtml(k)}</span></div>`).join('')}</div>
${options.comparison ? comparisonSection(options.comparison) : ''}
<section><h2>Over time</h2>${charts.slice(0, 4).join('\n')}</section>
<section><h2>Per endpoint</h2>${charts[4]}
<table><thead><tr><th class="label">endpoint</th><th>requests</th>${target ? '<th>planned req/s</th>' : ''}<th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>errors</th><th>429</th><th>waits</th><th>waited s</th></tr></thead>
<tbody>${statRows(report.endpoints, planned)}
${statRows([tot], planned)}</tbody></table>
<p class="note">Percentiles: ${escapeHtml(report.percentileMethod)}. Token requests (POST /oauth/token) are listed but not counted in ALL.</p></section>
<section><h2>Shards</h2>${charts[5]}
<table><thead><tr><th class="label">shard</th><th>requests</th><th>errors</th><th>429</th><th>own p50 ms</th><th>own p90 ms</th><th>own p99 ms</th><th class="label">first sample</th><th class="label">last sample</th></tr></thead><tbody>
${report.shards
  .map(
    (s) =>
      `<tr><td class="label">${escapeHtml(s.name)}</td><td>${s.requests.toLocaleString('en-US')}</td><td>${s.errors}</td><td>${s.throttled}</td><td>${s.latencyMs ? fmt(s.latencyMs.p50) : '–'}</td><td>${s.latencyMs ? fmt(s.latencyMs.p90) : '–'}</td><td>${s.latencyMs ? fmt(s.latencyMs.p99) : '–'}</td><td class="label">${s.start ?? '–'}</td><td class="label">${s.end ?? '–'}</td></tr>`,
  )
  .join('\n')}</tbody></table>
<p class="note">A shard's own percentiles are shown for comparison only; averaging them does not give the test's percentiles.</p></section>
<section><h2>Archived data of this test window</h2><table class="kv"><tbody>
${linkRow('recording metadata', report.links.metadata, 'not given (pass --metadata s3://…)')}
${linkRow('analytics job output', report.links.analytics, 'not given (pass --analytics s3://…)')}
${linkRow('raw results', report.links.results, 'local files')}
<tr><th>window (UTC)</th><td>${escapeHtml(report.window.start ?? '–')} → ${escapeHtml(report.window.end ?? '–')}</td></tr>
</tbody></table></section>
</main>
<script type="application/json" id="report-data">${json}</script>${
    options.comparison
      ? `\n<script type="application/json" id="comparison-data">${JSON.stringify(options.comparison).replace(/</g, '\\u003c')}</script>`
      : ''
  }
<script>${SCRIPT}</script>
</body></html>
`;
}
