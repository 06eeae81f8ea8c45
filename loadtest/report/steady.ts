/**
 * The steady-state window (after the plan's ramp-up, up to its planned end) and the achieved rate
 * against the planned one over it. A run that held its plan reads as such: averaging over the
 * ramp-up would put it a quarter under.
 */
import type { AchievedVsPlanned, Report, ReportTarget } from './model';
import type { TimeRange } from './label-stats';
import { round } from './stats';

/** First and last scenario sample (ms since the columns' base); undefined without any. */
export interface ScenarioSpan {
  readonly first: number;
  readonly last: number;
}

export interface SteadyWindow extends TimeRange {
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
