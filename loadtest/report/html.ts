/**
 * Renders a report as one self-contained HTML file: the page layout (summary cards, the
 * comparison with a baseline, tables per endpoint and shard, archive links) around the inline SVG
 * charts of svg-charts.ts, the style and hover script of page-assets.ts, and the report JSON
 * embedded for tools.
 */
import { TOKEN_LABEL } from '../labels';
import { formatChange, METRICS, thresholdText, type Comparison, type EndpointComparison, type MetricName } from './compare';
import { escapeHtml, fmt, pct } from './html-text';
import { plannedRequestsPerSec, type LabelStats, type Report, type ReportLink } from './report';
import { CSS, SCRIPT } from './page-assets';
import {
  ACHIEVED_COLOR,
  barChart,
  DASHES,
  ERROR_COLOR,
  lineChart,
  PALETTE,
  percentileBars,
  PLANNED_COLOR,
  THROTTLED_COLOR,
  TOKEN_COLOR,
  type LineSeries,
} from './svg-charts';

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
