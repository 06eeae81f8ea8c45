/** The result tables of both engines: one row per scenario and mode. */
import type { JmeterRehearsalResult } from './jmeter';
import type { RehearsalResult } from './simulated';

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The TypeScript engine's results, planned and naive side by side. */
export function formatResults(results: readonly RehearsalResult[]): string {
  const header = [
    'scenario',
    'mode',
    'VUs',
    'shards',
    'clients',
    'tokens',
    'target/min',
    'achieved/min',
    'attempts',
    '2xx',
    '429',
    '429 %',
    'token refusals',
    '5xx',
    'other 4xx',
    'failed',
    'p50 ms',
    'p95 ms',
    'p99 ms',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.mode,
    String(r.virtualUsers),
    String(r.shards),
    String(r.clients),
    String(r.tokens),
    String(r.plannedPerMinute),
    String(r.achievedPerMinute),
    String(r.attempts),
    String(r.ok),
    String(r.throttled),
    (r.throttledShare * 100).toFixed(2),
    String(r.tokenThrottled),
    String(r.serverErrors),
    String(r.clientErrors),
    String(r.failed),
    r.latencyMs.p50.toFixed(1),
    r.latencyMs.p95.toFixed(1),
    r.latencyMs.p99.toFixed(1),
  ]);
  return table(header, rows);
}

/** The JMeter engine's results. */
export function formatJmeterResults(results: readonly JmeterRehearsalResult[]): string {
  const header = [
    'scenario',
    'mode',
    'shards',
    'tokens',
    'threads',
    'minute',
    'scale',
    'planned/min',
    'achieved/min',
    'achieved %',
    'requests',
    '429',
    '429 %',
    'Retry-After waits',
    'waited s',
    '5xx',
    'other errors',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.mode,
    String(r.shards),
    String(r.tokens),
    String(r.threads),
    `${r.compression.minuteMs / 1000} s`,
    r.compression.loadScale.toFixed(2),
    String(r.plannedPerMinute),
    String(r.achievedPerMinute),
    (r.achievedShare * 100).toFixed(1),
    String(r.requests),
    String(r.throttled),
    (r.throttledShare * 100).toFixed(2),
    String(r.retryAfterWaits),
    r.retryAfterSec.toFixed(1),
    String(r.serverErrors),
    String(r.otherErrors),
  ]);
  return table(header, rows);
}
