/**
 * The steady-state window (after the plan's ramp-up, up to its planned end) and the achieved rate
 * against the planned one over it. A run that held its plan reads as such: averaging over the
 * ramp-up would put it a quarter under.
 */
import type { AchievedVsPlanned, Report, ReportTarget } from './model';
import type { CellRange } from './label-stats';
import { round } from './stats';

/** First and last scenario sample (epoch ms); undefined without any. */
export interface ScenarioSpan {
  readonly first: number;
  readonly last: number;
}

export interface SteadyWindow {
  /** Samples with `from <= ts <= to` (epoch ms) count. */
  readonly from: number;
  readonly to: number;
  /** Throughputs are averaged over this long. */
  readonly windowSec: number;
  readonly basis: string;
}

/**
 * After `rampUpSec` from the first scenario sample, up to `durationSec` after it (or the last
 * sample, whichever is first). Without a plan (or when that leaves less than one bucket), the
 * whole run.
 */
export function steadyWindow(span: ScenarioSpan | undefined, target: ReportTarget | undefined, bucketSec: number): SteadyWindow {
  if (!span) return { from: 0, to: 0, windowSec: bucketSec, basis: 'no samples' };
  const wholeSec = Math.max((span.last - span.first) / 1000, bucketSec);
  const whole = (why: string): SteadyWindow => ({ from: span.first, to: span.last, windowSec: wholeSec, basis: why });
  if (!target) return whole('the whole run (no plan summary: ramp-up unknown)');
  const from = span.first + target.rampUpSec * 1000;
  const plannedEnd = target.durationSec !== undefined ? span.first + target.durationSec * 1000 : Infinity;
  const to = Math.min(span.last, plannedEnd);
  const windowSec = (to - from) / 1000;
  if (!(windowSec >= bucketSec)) return whole(`the whole run (the run ended before its ${target.rampUpSec} s ramp-up did)`);
  const end = Number.isFinite(plannedEnd) && plannedEnd < span.last ? `, up to the planned ${target.durationSec} s` : '';
  return { from, to, windowSec, basis: `after the plan's ${target.rampUpSec} s ramp-up${end}` };
}

/**
 * The window in whole time cells (samples.ts): an edge at the first or last scenario sample keeps
 * its cell (no sample lies beyond it); the end of the ramp-up and the planned end move to the
 * nearest cell edge, at most half a cell (span / 300 or less, 50 ms for runs under 75 s).
 */
export function steadyCells(
  sw: SteadyWindow,
  span: ScenarioSpan | undefined,
  cells: { readonly origin: number; readonly cellMs: number },
): CellRange & { readonly from: number; readonly to: number } {
  if (!span) return { fromKey: 0, toKey: 0, from: sw.from, to: sw.to, windowSec: sw.windowSec };
  const key = (t: number): number => (t - cells.origin) / cells.cellMs;
  const edge = (k: number): number => cells.origin + k * cells.cellMs;
  const atFirst = sw.from === span.first;
  const atLast = sw.to === span.last;
  const fromKey = atFirst ? Math.floor(key(sw.from)) : Math.round(key(sw.from));
  const toKey = atLast ? Math.floor(key(sw.to)) + 1 : Math.round(key(sw.to));
  if (atFirst && atLast) return { fromKey, toKey, from: sw.from, to: sw.to, windowSec: sw.windowSec };
  const from = atFirst ? sw.from : edge(fromKey);
  const to = atLast ? sw.to : edge(toKey);
  return { fromKey, toKey, from, to, windowSec: Math.max((to - from) / 1000, cells.cellMs / 1000) };
}

/**
 * Achieved against planned requests/min over the steady-state window: the one figure the report,
 * `npm run loadtest --watch`, the rehearsals and the comparison print. Null without a plan.
 */
export function achievedVsPlanned(report: Pick<Report, 'steady' | 'target'>): AchievedVsPlanned | null {
  const planned = report.target?.requestsPerMinute;
  if (planned === undefined || !(planned > 0)) return null;
  const achievedPerMinute = round(report.steady.totals.throughputPerSec * 60, 1);
  return {
    plannedPerMinute: planned,
    achievedPerMinute,
    share: round(achievedPerMinute / planned, 4),
    windowSec: report.steady.durationSec,
  };
}

/** `achieved 298.4/min vs 300 planned (99.5 %) over the steady 1620 s`. */
export function achievedText(a: AchievedVsPlanned): string {
  return `achieved ${a.achievedPerMinute}/min vs ${a.plannedPerMinute} planned (${round(a.share * 100, 1)} %) over the steady ${round(a.windowSec, 0)} s`;
}
