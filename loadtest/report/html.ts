/**
 * Renders a report as one self-contained HTML file: the title (scenario, environment, test id,
 * plan), the verdict of the thresholds, the steady-state headline, the comparison with a
 * baseline, charts (html-charts.ts) and tables (html-tables.ts), and the report JSON embedded for
 * tools. Everything from the results is escaped; the Content-Security-Policy allows only the
 * page's own style and script (page-assets.ts).
 */
import { costChangeText, formatChange, METRICS, thresholdText, type Comparison, type EndpointComparison, type MetricName } from './compare';
import { costSection } from './html-cost';
import { endpointCharts, shardChart, timeCharts } from './html-charts';
import { dropTables, errorTable, latencyTable, linkTable, rateTable, shardFileList, shardTable } from './html-tables';
import { escapeHtml, fmt, pct } from './html-text';
import type { Report } from './model';
import { CONTENT_SECURITY_POLICY, CSS, SCRIPT } from './page-assets';
import { achievedText } from './steady';
import { planSummaryText } from './target';

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
<div class="tablewrap"><table><thead><tr><th class="label">endpoint (baseline → current)</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>req/s</th><th>errors %</th><th>429 %</th></tr></thead>
<tbody>${c.endpoints.map(comparisonRow).join('\n')}
${comparisonRow(c.totals)}</tbody></table></div>
<p class="note">${escapeHtml(`${thresholdText(c.thresholds)}; figures of the ${c.window ?? 'whole run'}`)}. Token requests are not compared.</p>${
    c.cost ? `\n<p id="cost-delta">Actual AWS cost: ${escapeHtml(costChangeText(c.cost))}</p>` : ''
  }</section>`;
}

/** Pass/fail at the top: the failures, or how many thresholds were met. */
function verdictBox(report: Report): string {
  const v = report.verdict;
  const checks = v.checks.length
    ? `<div class="tablewrap"><table id="threshold-checks"><thead><tr><th class="label">threshold (steady state)</th><th>goal</th><th>actual</th><th>result</th></tr></thead><tbody>${v.checks
        .map(
          (c) =>
            `<tr data-passed="${c.passed}"><td class="label">${escapeHtml(c.name)}</td><td>${escapeHtml(c.limit)}</td><td>${escapeHtml(c.actual)}</td><td class="${c.passed ? 'good' : 'bad'}">${c.passed ? 'passed' : 'FAILED'}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '';
  const head = v.passed
    ? `<b>PASSED</b> ${v.checks.length ? `${v.checks.length} threshold(s) met on the steady state` : '<span class="muted">no thresholds stated (scenario config <code>thresholds</code>)</span>'}`
    : `<b>FAILED</b><ul>${v.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`;
  return `<div id="verdict" class="verdict-box ${v.passed ? 'pass' : 'fail'}" data-passed="${v.passed}">${head}${checks}</div>`;
}

/** The headline figures, over the steady-state window. */
function cards(report: Report): string {
  const s = report.steady.totals;
  const l = s.latencyMs;
  const a = report.achieved;
  const list: [string, string, boolean][] = [
    ['requests (whole run)', report.totals.requests.toLocaleString('en-US'), false],
    ['requests/s (steady)', fmt(s.throughputPerSec, 2), false],
    ...(a ? ([['achieved of planned', `${fmt(a.share * 100)} %`, a.share < 0.95]] as [string, string, boolean][]) : []),
    ['p50 ms', l ? fmt(l.p50) : '–', false],
    ['p95 ms', l ? fmt(l.p95) : '–', false],
    ['p99 ms', l ? fmt(l.p99) : '–', false],
    ['errors', pct(s.errorShare), s.errors > 0],
    [`429 (${s.throttled.toLocaleString('en-US')})`, pct(s.throttledShare), s.throttled > 0],
    ['Apdex', s.apdex ? s.apdex.score.toFixed(2) : '–', (s.apdex?.score ?? 1) < 0.85],
  ];
  return `<div class="cards">${list.map(([k, v, bad]) => `<div class="card${bad ? ' bad' : ''}"><b>${escapeHtml(v)}</b><span>${escapeHtml(k)}</span></div>`).join('')}</div>`;
}

function header(report: Report): string {
  const t = report.target;
  const title = t?.scenario ? `${t.scenario}${t.environment ? ` on ${t.environment}` : ''}` : `Load test ${report.testId}`;
  const when = report.window.start
    ? `${escapeHtml(report.window.start)} → ${escapeHtml(report.window.end ?? '')} (${fmt(report.window.durationSec)} s)`
    : 'no samples';
  const plan = t ? ` · ${escapeHtml(planSummaryText(t))}` : '';
  return `<header><h1 id="title">${escapeHtml(title)}</h1>
<p>test <b>${escapeHtml(report.testId)}</b>${plan} · ${when} · ${report.shards.length} shard(s) · generated ${escapeHtml(report.generatedAt)}</p></header>`;
}

function headline(report: Report): string {
  const st = report.steady;
  const achieved = report.achieved ? ` ${escapeHtml(achievedText(report.achieved))}.` : '';
  return `<p class="note" id="steady">Headline figures: the steady state, ${escapeHtml(st.basis)} (${fmt(st.durationSec)} s${st.start ? ` from ${escapeHtml(st.start)}` : ''}).${achieved} Whole-run figures are in report.json and the tables below.</p>`;
}

export interface RenderOptions {
  /** The comparison with a baseline run (npm run report -- --baseline). */
  readonly comparison?: Comparison;
}

const embed = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The whole page. */
export function renderHtml(report: Report, options: RenderOptions = {}): string {
  const target = report.target;
  const planned = target
    ? (label: string): number | undefined => (label === 'ALL' ? target.requestsPerMinute : target.byLabel[label])
    : undefined;
  const over = timeCharts(report);
  const ep = endpointCharts(report);
  const title = target?.scenario ? `${target.scenario} · ${report.testId}` : `Load test ${report.testId}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} – genesys-loadlab</title><style>${CSS}</style></head>
<body>${header(report)}
<main>
${verdictBox(report)}
${report.warnings.map((w) => `<div class="warn">${escapeHtml(w)}</div>`).join('\n')}
${shardFileList(report)}
${cards(report)}
${headline(report)}
${options.comparison ? comparisonSection(options.comparison) : ''}
<section><h2>Over time</h2>${over.join('\n')}</section>
<section id="endpoints"><h2>Per endpoint, steady state</h2>
<h3>Response times (ms)</h3>${latencyTable([...report.steady.endpoints, report.steady.totals], 'latency-table')}
<p class="note">TTFB: time to first byte (JMeter's Latency). Apdex: satisfied within ${report.apdex.satisfiedMs} ms, tolerated within ${report.apdex.toleratedMs} ms; failed requests are frustrated. Percentiles: ${escapeHtml(report.percentileMethod)}.</p>
<h3>Rates and errors</h3>${rateTable([...report.steady.endpoints, report.steady.totals], planned, 'rate-table')}
<h3>Whole run</h3>${rateTable([report.totals], planned, 'whole-run-table')}
${ep.percentiles}
<h3>Response-time distribution</h3><div class="hist">${ep.histograms.join('\n')}</div></section>
<section id="errors"><h2>Errors by response code and message</h2>${errorTable(report)}</section>
<section id="drops"><h2>Arrivals dropped by the Retry-After gate</h2>${dropTables(report)}</section>
<section id="tokens"><h2>Token requests</h2>${report.tokens ? rateTable([report.tokens], undefined, 'token-table') : '<p class="note">No token request in the results.</p>'}
<p class="note">POST /oauth/token, the shards' client-credentials grants: not counted among the endpoints or in ALL.</p></section>
<section id="shards"><h2>Shards</h2>${shardChart(report)}
${shardTable(report.shards)}
<p class="note">A shard's own percentiles are shown for comparison only; averaging them does not give the test's percentiles.</p></section>
${costSection(report.cost)}
<section><h2>Archived data of this test window</h2>${linkTable(report)}</section>
</main>
<script type="application/json" id="report-data">${embed(report)}</script>${
    options.comparison ? `\n<script type="application/json" id="comparison-data">${embed(options.comparison)}</script>` : ''
  }
<script>${SCRIPT}</script>
</body></html>
`;
}
