/**
 * Arrivals the plan's gate dropped (loadtest/jmx/scripts.ts PICK_TOKEN writes one DROP_LABEL
 * record each), and failed requests grouped by endpoint, response code and message.
 */
import type { DropStats, ErrorKindRow, ReportTarget } from './model';
import type { SampleColumns } from './samples';
import { round } from './stats';

export function dropStats(c: SampleColumns, target: ReportTarget | undefined): DropStats {
  const { drops } = c;
  const perToken = new Map<string, { shard: string; token: number; resting: number; capped: number }>();
  let resting = 0;
  for (let i = 0; i < drops.n; i++) {
    const shard = c.shards[drops.shardIdx[i]].name;
    const key = `${shard}\u0000${drops.token[i]}`;
    let row = perToken.get(key);
    if (!row) perToken.set(key, (row = { shard, token: drops.token[i], resting: 0, capped: 0 }));
    if (drops.resting[i]) {
      row.resting++;
      resting++;
    } else row.capped++;
  }
  const plannedTotal = target ? Object.values(target.byLabel).reduce((a, v) => a + v, 0) : 0;
  const byEndpointEstimate: Record<string, number> = {};
  if (drops.n > 0 && target && plannedTotal > 0) {
    for (const [label, rpm] of Object.entries(target.byLabel)) byEndpointEstimate[label] = round((drops.n * rpm) / plannedTotal, 1);
  }
  return {
    total: drops.n,
    resting,
    capped: drops.n - resting,
    byToken: [...perToken.values()].sort((a, b) => a.shard.localeCompare(b.shard) || a.token - b.token),
    byEndpointEstimate,
  };
}

/** Failed requests (token requests included) by endpoint, response code and message, most frequent first. */
export function errorRows(c: SampleColumns): ErrorKindRow[] {
  return c.errorKinds
    .map((k) => ({ label: c.labels[k.li], code: k.code, message: k.message, count: k.count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label) || a.code.localeCompare(b.code));
}
