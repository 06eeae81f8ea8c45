/** The tables of the report page: every text from the results escaped, widths that fit a laptop screen. */
import { escapeHtml, fmt, pct } from './html-text';
import type { LabelStats, Report, ReportLink, ShardStats } from './model';

const dash = '–';
const num = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? dash : fmt(v, digits));
const wrap = (table: string): string => `<div class="tablewrap">${table}</div>`;

function table(headers: readonly string[], rows: readonly string[], attrs = ''): string {
  const head = headers.map((h, i) => `<th${i === 0 ? ' class="label"' : ''}>${h}</th>`).join('');
  return wrap(`<table${attrs}><thead><tr>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`);
}

/** Response times: mean, spread, percentiles, time to first byte and connect, Apdex. */
export function latencyTable(rows: readonly LabelStats[], id: string): string {
  const row = (r: LabelStats): string => {
    const l = r.latencyMs;
    const cls = r.label === 'ALL' ? ' class="total"' : '';
    return `<tr${cls} data-endpoint="${escapeHtml(r.label)}"><td class="label">${escapeHtml(r.label)}</td><td>${num(l?.mean)}</td><td>${num(l?.stddev)}</td><td>${num(l?.min, 0)}</td><td>${num(l?.p50, 0)}</td><td>${num(l?.p90, 0)}</td><td>${num(l?.p95, 0)}</td><td>${num(l?.p99, 0)}</td><td>${num(l?.max, 0)}</td><td>${num(r.ttfbMeanMs)}</td><td>${num(r.connectMeanMs)}</td><td>${r.apdex ? r.apdex.score.toFixed(2) : dash}</td></tr>`;
  };
  return table(
    ['endpoint', 'mean', 'sd', 'min', 'p50', 'p90', 'p95', 'p99', 'max', 'TTFB', 'connect', 'Apdex'],
    rows.map(row),
    ` id="${id}"`,
  );
}

/** Counts and rates: requests, planned and achieved req/s, bytes, errors, 429s and rests. */
export function rateTable(rows: readonly LabelStats[], planned: ((label: string) => number | undefined) | undefined, id: string): string {
  const row = (r: LabelStats): string => {
    const p = planned?.(r.label);
    const cls = r.label === 'ALL' ? ' class="total"' : '';
    const plannedCell = planned ? `<td>${p === undefined ? dash : fmt(p / 60, 2)}</td>` : '';
    return `<tr${cls} data-endpoint="${escapeHtml(r.label)}"><td class="label">${escapeHtml(r.label)}</td><td>${r.requests.toLocaleString('en-US')}</td>${plannedCell}<td>${fmt(r.throughputPerSec, 2)}</td><td>${fmt(r.bytesReceivedPerSec / 1024)}</td><td>${fmt(r.bytesSentPerSec / 1024)}</td><td${r.errorShare > 0 ? ' class="bad"' : ''}>${pct(r.errorShare)}</td><td${r.throttled > 0 ? ' class="bad"' : ''}>${pct(r.throttledShare)}</td><td>${r.retryAfter.waits}</td><td>${fmt(r.retryAfter.totalSec)}</td></tr>`;
  };
  const headers = [
    'endpoint',
    'requests',
    ...(planned ? ['planned/s'] : []),
    'req/s',
    'KB/s in',
    'KB/s out',
    'errors',
    '429',
    'rests',
    'rested s',
  ];
  return table(headers, rows.map(row), ` id="${id}"`);
}

/** Failed requests by endpoint, response code and message. */
export function errorTable(report: Report): string {
  if (report.errors.length === 0) return '<p class="note">No failed request.</p>';
  const rows = report.errors.map(
    (e) =>
      `<tr><td class="label">${escapeHtml(e.label)}</td><td>${escapeHtml(e.code)}</td><td class="msg">${escapeHtml(e.message || dash)}</td><td>${e.count.toLocaleString('en-US')}</td></tr>`,
  );
  return table(['endpoint', 'code', 'message', 'count'], rows, ' id="errors-table"');
}

/** Arrivals the gate dropped, per shard and token, and each endpoint's share of them. */
export function dropTables(report: Report): string {
  const d = report.drops;
  if (d.total === 0) return '<p class="note">No arrival was dropped by the plan’s Retry-After gate (or the plan did not record drops).</p>';
  const byToken = table(
    ['shard', 'token', 'resting (Retry-After)', 'capped'],
    d.byToken.map(
      (r) =>
        `<tr><td class="label">${escapeHtml(r.shard)}</td><td>${r.token < 0 ? dash : r.token}</td><td>${r.resting}</td><td>${r.capped}</td></tr>`,
    ),
    ' id="drops-by-token"',
  );
  const estimates = Object.entries(d.byEndpointEstimate);
  const byEndpoint = estimates.length
    ? table(
        ['endpoint', 'dropped (by planned share)'],
        estimates.map(([label, n]) => `<tr><td class="label">${escapeHtml(label)}</td><td>${fmt(n)}</td></tr>`),
        ' id="drops-by-endpoint"',
      ) +
      '<p class="note">The gate drops an arrival before the endpoint is picked, so each endpoint’s share is its planned share of the drops.</p>'
    : '';
  return `<p>${d.total.toLocaleString('en-US')} arrivals dropped: ${d.resting} while their token rested after a 429, ${d.capped} by the catch-up cap.</p>${byToken}${byEndpoint}`;
}

export function shardTable(shards: readonly ShardStats[]): string {
  const rows = shards.map(
    (s) =>
      `<tr><td class="label">${escapeHtml(s.name)}</td><td>${s.requests.toLocaleString('en-US')}</td><td>${s.errors}</td><td>${s.throttled}</td><td>${num(s.latencyMs?.p50, 0)}</td><td>${num(s.latencyMs?.p90, 0)}</td><td>${num(s.latencyMs?.p99, 0)}</td><td class="label">${escapeHtml(s.start ?? dash)}</td><td class="label">${escapeHtml(s.end ?? dash)}</td></tr>`,
  );
  return table(['shard', 'requests', 'errors', '429', 'own p50', 'own p90', 'own p99', 'first sample', 'last sample'], rows);
}

/** Result files against the shard contract (the report step only). */
export function shardFileList(report: Report): string {
  const f = report.shardFiles;
  if (!f || (f.missing.length === 0 && f.unexpected.length === 0)) return '';
  const list = (title: string, keys: readonly string[], id: string): string =>
    keys.length ? `<h3>${title}</h3><ul id="${id}">${keys.map((k) => `<li><code>${escapeHtml(k)}</code></li>`).join('')}</ul>` : '';
  return `<div class="warn">${list('Missing shard results', f.missing, 'shard-files-missing')}${list('Not read: not a shard contract key (results/&lt;testId&gt;/shards/&lt;n&gt;/shard-&lt;n&gt;.jtl)', f.unexpected, 'shard-files-unexpected')}</div>`;
}

function linkRow(name: string, link: ReportLink | undefined, missing: string): string {
  if (!link) return `<tr><th>${name}</th><td class="muted">${escapeHtml(missing)}</td></tr>`;
  const console = link.consoleUrl ? ` <a href="${escapeHtml(link.consoleUrl)}">open in the AWS console</a>` : '';
  const main = /^https?:\/\//.test(link.uri)
    ? `<a href="${escapeHtml(link.uri)}">${escapeHtml(link.uri)}</a>`
    : `<code>${escapeHtml(link.uri)}</code>`;
  return `<tr><th>${name}</th><td>${main}${console}</td></tr>`;
}

export function linkTable(report: Report): string {
  return `<table class="kv"><tbody>
${linkRow('recording metadata', report.links.metadata, 'not given (pass --metadata s3://…)')}
${linkRow('analytics job output', report.links.analytics, 'not given (pass --analytics s3://…)')}
${linkRow('raw results', report.links.results, 'local files')}
<tr><th>window (UTC)</th><td>${escapeHtml(report.window.start ?? dash)} → ${escapeHtml(report.window.end ?? dash)}</td></tr>
</tbody></table>`;
}
