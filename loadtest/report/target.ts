/** The planned rate of a test, read from the plan summary `npm run jmx -- --summary` writes. */
import type { ReportTarget } from './report';

/**
 * A plan summary (`<scenario>.summary.json`) as a report target: all shards' requests/min, the
 * ramp-up and each endpoint's share. Throws an Error naming the field when the file is not one.
 */
export function targetFromPlanSummary(summary: unknown, source: string): ReportTarget {
  const s = summary as Record<string, unknown> | null;
  const num = (field: string): number => {
    const v = s?.[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`${source}: ${field} must be a number >= 0 (is this a plan summary from npm run jmx -- --summary?)`);
    return v;
  };
  const shards = num('shards');
  const perShard = num('targetRpmPerShard');
  const rampUpSec = num('rampUpSec');
  const requestsPerMinute = Math.round(shards * perShard * 1000) / 1000;
  const endpoints = Array.isArray(s?.endpoints) ? (s.endpoints as { label?: unknown; share?: unknown }[]) : [];
  const byLabel: Record<string, number> = {};
  for (const e of endpoints) {
    if (typeof e.label === 'string' && typeof e.share === 'number')
      byLabel[e.label] = Math.round(requestsPerMinute * e.share * 1000) / 1000;
  }
  return { requestsPerMinute, rampUpSec, byLabel, source };
}
