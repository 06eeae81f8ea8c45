/**
 * Compares two reports of the same scenario (a baseline run and the current one), per endpoint:
 * the change in p50/p90/p99, throughput, error and 429 share, each flagged when it got worse
 * beyond a threshold. Rendered into the HTML report and as a Markdown table for a PR comment.
 */
import { dollars } from '../../lib/cost/format';
import { TOKEN_LABEL } from '../labels';
import type { LabelStats, Report } from './model';

export interface CompareThresholds {
  /** A percentile is worse when it grew by more than this share (10 = 10 %) ... */
  readonly latencyPercent: number;
  /** ... and by at least this many ms (tiny latencies jitter by whole milliseconds). */
  readonly latencyMinMs: number;
  /** Throughput is worse when it fell by more than this share (10 = 10 %). */
  readonly throughputPercent: number;
  /** Error and 429 shares are worse when they grew by more than this many percentage points. */
  readonly sharePoints: number;
}

export const DEFAULT_THRESHOLDS: CompareThresholds = { latencyPercent: 10, latencyMinMs: 5, throughputPercent: 10, sharePoints: 0.5 };

export type MetricName = 'p50' | 'p90' | 'p99' | 'throughputPerSec' | 'errorShare' | 'throttledShare';
export const METRICS: readonly MetricName[] = ['p50', 'p90', 'p99', 'throughputPerSec', 'errorShare', 'throttledShare'];

export interface MetricChange {
  readonly baseline: number | null;
  readonly current: number | null;
  /** current - baseline (shares in percentage points). */
  readonly delta: number | null;
  /** Relative change in % of the baseline (null when the baseline is 0 or missing). */
  readonly deltaPercent: number | null;
  readonly worse: boolean;
}

export interface EndpointComparison {
  readonly label: string;
  /** `both`, or the one run the endpoint appears in. */
  readonly presentIn: 'both' | 'baseline' | 'current';
  readonly metrics: Readonly<Record<MetricName, MetricChange>>;
  readonly worse: boolean;
}

export interface Comparison {
  readonly baselineTestId: string;
  readonly currentTestId: string;
  /** Which figures were compared: the steady-state windows, or the whole runs (a schemaVersion 1 baseline). */
  readonly window: 'steady state' | 'whole run';
  readonly thresholds: CompareThresholds;
  readonly totals: EndpointComparison;
  readonly endpoints: readonly EndpointComparison[];
  /** Endpoints (and ALL) with at least one metric worse beyond its threshold. */
  readonly regressions: readonly string[];
  /** The actual AWS cost of both runs; absent when either has none (no --env, an older report). */
  readonly cost?: CostChange;
}

/** Informational: a dearer run is shown, never a regression. */
export interface CostChange {
  readonly baselineUsd: number;
  readonly currentUsd: number;
  readonly deltaUsd: number;
  /** Relative change in % of the baseline (null when it cost nothing). */
  readonly deltaPercent: number | null;
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

function value(stats: LabelStats | undefined, metric: MetricName): number | null {
  if (!stats) return null;
  if (metric === 'p50' || metric === 'p90' || metric === 'p99') return stats.latencyMs?.[metric] ?? null;
  if (metric === 'throughputPerSec') return stats.throughputPerSec;
  return stats[metric] * 100; // shares in %, so deltas are percentage points
}

function change(metric: MetricName, base: number | null, cur: number | null, t: CompareThresholds): MetricChange {
  if (base === null || cur === null) return { baseline: base, current: cur, delta: null, deltaPercent: null, worse: false };
  const delta = cur - base;
  const deltaPercent = base === 0 ? null : (delta / base) * 100;
  let worse: boolean;
  if (metric === 'throughputPerSec') worse = deltaPercent !== null && -deltaPercent > t.throughputPercent;
  else if (metric === 'errorShare' || metric === 'throttledShare') worse = delta > t.sharePoints;
  else worse = delta >= t.latencyMinMs && (deltaPercent === null || deltaPercent > t.latencyPercent);
  return {
    baseline: round(base),
    current: round(cur),
    delta: round(delta),
    deltaPercent: deltaPercent === null ? null : round(deltaPercent, 1),
    worse,
  };
}

function compareStats(label: string, base: LabelStats | undefined, cur: LabelStats | undefined, t: CompareThresholds): EndpointComparison {
  const metrics = Object.fromEntries(METRICS.map((m) => [m, change(m, value(base, m), value(cur, m), t)])) as Record<
    MetricName,
    MetricChange
  >;
  // An endpoint the current run no longer calls at all is a regression of its throughput.
  const gone = base !== undefined && base.requests > 0 && cur === undefined;
  return {
    label,
    presentIn: base && cur ? 'both' : base ? 'baseline' : 'current',
    metrics,
    worse: gone || METRICS.some((m) => metrics[m].worse),
  };
}

/** The figures compared: the steady-state window's when both runs have one, else the whole runs'. */
function comparable(
  baseline: Report,
  current: Report,
): { base: Pick<Report, 'totals' | 'endpoints'>; cur: Pick<Report, 'totals' | 'endpoints'>; window: Comparison['window'] } {
  if (baseline.steady && current.steady) return { base: baseline.steady, cur: current.steady, window: 'steady state' };
  return { base: baseline, cur: current, window: 'whole run' };
}

function costChange(baseline: Report, current: Report): CostChange | undefined {
  const base = baseline.cost?.actual?.usd;
  const cur = current.cost?.actual?.usd;
  if (base === undefined || cur === undefined) return undefined;
  const delta = cur - base;
  return { baselineUsd: base, currentUsd: cur, deltaUsd: delta, deltaPercent: base === 0 ? null : round((delta / base) * 100, 1) };
}

/** `$0.0412 → $0.0530 (+$0.0118, +28.6 %)`. */
export function costChangeText(c: CostChange): string {
  const sign = c.deltaUsd > 0 ? '+' : c.deltaUsd < 0 ? '−' : '±';
  const rel = c.deltaPercent === null ? '' : `, ${sign}${Math.abs(c.deltaPercent).toFixed(1)} %`;
  return `${dollars(c.baselineUsd)} → ${dollars(c.currentUsd)} (${sign}${dollars(Math.abs(c.deltaUsd))}${rel})`;
}

export function compareReports(baseline: Report, current: Report, thresholds: Partial<CompareThresholds> = {}): Comparison {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const { base: b, cur: c, window } = comparable(baseline, current);
  // Token requests: their own section since schemaVersion 2, among the endpoints before.
  const base = new Map(b.endpoints.filter((e) => e.label !== TOKEN_LABEL).map((e) => [e.label, e]));
  const cur = new Map(c.endpoints.filter((e) => e.label !== TOKEN_LABEL).map((e) => [e.label, e]));
  const labels = [...new Set([...base.keys(), ...cur.keys()])].sort((a, b) => a.localeCompare(b));
  const endpoints = labels.map((l) => compareStats(l, base.get(l), cur.get(l), t));
  const totals = compareStats('ALL', b.totals, c.totals, t);
  const cost = costChange(baseline, current);
  return {
    baselineTestId: baseline.testId,
    currentTestId: current.testId,
    window,
    thresholds: t,
    totals,
    endpoints,
    regressions: [...endpoints, totals].filter((e) => e.worse).map((e) => e.label),
    ...(cost ? { cost } : {}),
  };
}

const METRIC_TITLE: Record<MetricName, string> = {
  p50: 'p50 ms',
  p90: 'p90 ms',
  p99: 'p99 ms',
  throughputPerSec: 'req/s',
  errorShare: 'errors %',
  throttledShare: '429 %',
};

/** `120 → 138 (+15.0 %)`; shares as `0.10 → 2.31 % (+2.21 pt)`. */
export function formatChange(metric: MetricName, c: MetricChange): string {
  const share = metric === 'errorShare' || metric === 'throttledShare';
  const num = (v: number | null): string =>
    v === null ? '–' : share ? v.toFixed(2) : metric === 'throughputPerSec' ? v.toFixed(2) : String(Math.round(v));
  if (c.baseline === null || c.current === null) return `${num(c.baseline)} → ${num(c.current)}`;
  const sign = (v: number): string => (v > 0 ? '+' : v < 0 ? '−' : '±');
  const d = c.delta ?? 0;
  const rel = share
    ? `${sign(d)}${Math.abs(d).toFixed(2)} pt`
    : c.deltaPercent === null
      ? `${sign(d)}${num(Math.abs(d))}`
      : `${sign(c.deltaPercent)}${Math.abs(c.deltaPercent).toFixed(1)} %`;
  return `${num(c.baseline)} → ${num(c.current)} (${rel})`;
}

export function thresholdText(t: CompareThresholds): string {
  return `worse = a percentile up by more than ${t.latencyPercent} % (and at least ${t.latencyMinMs} ms), throughput down by more than ${t.throughputPercent} %, or an error or 429 share up by more than ${t.sharePoints} percentage points`;
}

const mdCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The comparison as GitHub-flavoured Markdown: a verdict line, then one row per endpoint. */
export function comparisonMarkdown(c: Comparison): string {
  const verdict = c.regressions.length
    ? `**${c.regressions.length} regression(s)** beyond the thresholds: ${c.regressions.map((r) => `\`${mdCell(r)}\``).join(', ')}`
    : 'No regression beyond the thresholds.';
  const header = `| endpoint | ${METRICS.map((m) => METRIC_TITLE[m]).join(' | ')} |`;
  const rule = `| --- | ${METRICS.map(() => '---:').join(' | ')} |`;
  const row = (e: EndpointComparison): string => {
    const name = `${e.worse ? '⚠️ ' : ''}\`${mdCell(e.label)}\`${e.presentIn === 'both' ? '' : ` (only in ${e.presentIn})`}`;
    const cells = METRICS.map((m) => {
      const text = mdCell(formatChange(m, e.metrics[m]));
      return e.metrics[m].worse ? `**${text}**` : text;
    });
    return `| ${name} | ${cells.join(' | ')} |`;
  };
  return [
    `### Load test \`${mdCell(c.currentTestId)}\` compared with \`${mdCell(c.baselineTestId)}\``,
    '',
    verdict,
    '',
    header,
    rule,
    ...c.endpoints.map(row),
    row(c.totals),
    '',
    ...(c.cost ? [`Actual AWS cost: ${costChangeText(c.cost)}`, ''] : []),
    `<sub>baseline → current (change); ${thresholdText(c.thresholds)}. Token requests are not compared.</sub>`,
    '',
  ].join('\n');
}
