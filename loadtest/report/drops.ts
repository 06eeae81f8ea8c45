/**
 * Arrivals the plan's gate dropped (loadtest/jmx/scripts.ts PICK_TOKEN writes one DROP_LABEL
 * record each), and failed requests grouped by endpoint, response code and message.
 */
import type { DropStats, ErrorKindRow, ReportTarget } from './model';
import type { Aggregates } from './samples';
import { round } from './stats';

export function dropStats(a: Aggregates, target: ReportTarget | undefined): DropStats {
  const { total, resting } = a.drops;
  const plannedTotal = target ? Object.values(target.byLabel).reduce((sum, v) => sum + v, 0) : 0;
  const byEndpointEstimate: Record<string, number> = {};
  if (total > 0 && target && plannedTotal > 0) {
    for (const [label, rpm] of Object.entries(target.byLabel)) byEndpointEstimate[label] = round((total * rpm) / plannedTotal, 1);
  }
  return {
    total,
    resting,
    capped: total - resting,
    byToken: a.drops.byToken.map((r) => ({ ...r })).sort((x, y) => x.shard.localeCompare(y.shard) || x.token - y.token),
    byEndpointEstimate,
  };
}

/** Failed requests (token requests included) by endpoint, response code and message, most frequent first. */
export function errorRows(a: Aggregates): ErrorKindRow[] {
  return a.errorKinds
    .map((k) => ({ label: a.labels[k.li], code: k.code, message: k.message, count: k.count }))
    .sort((x, y) => y.count - x.count || x.label.localeCompare(y.label) || x.code.localeCompare(y.code));
}
