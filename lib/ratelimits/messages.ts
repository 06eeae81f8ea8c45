/**
 * The planner's words: how a limit's use reads, and the fix for a scenario over budget. What an
 * endpoint finding says is the resolver's (endpoints.ts).
 */
import type { ScenarioConfig } from '../config/schema';
import type { ResolvedLimit } from './catalogue';
import { RECORDING_JOBS_LIMIT } from '../genesys-facts/limits';
import { EPS, round1, type LimitUse, type Sizing } from './model';

export const fmt = (n: number): string => String(round1(n));
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "<limit>: 15000 requests/min per token vs 240 allowed (300 less 20 % headroom)" */
export function describeUse(u: LimitUse, headroomPercent: number): string {
  const unit = u.unit === 'requests/min' ? 'requests/min' : u.unit;
  const allowed =
    u.usable === u.allowed
      ? `${fmt(u.allowed)} allowed`
      : `${fmt(u.usable)} allowed (${fmt(u.allowed)} less ${headroomPercent} % headroom)`;
  return `${u.limit}: ${fmt(u.demand)} ${unit} per ${u.per} vs ${allowed}`;
}

export function budgetFix(
  s: ScenarioConfig,
  plan: { sizing: Sizing; recommended: Sizing; fixed: boolean },
  limits: readonly ResolvedLimit[],
): string {
  const over = plan.sizing.uses.filter((u) => !u.withinBudget);
  const fixes: string[] = [];
  if (over.some((u) => u.adjustable) && plan.recommended.uses.filter((u) => u.adjustable).every((u) => u.withinBudget)) {
    const r = plan.recommended;
    fixes.push(
      plan.fixed
        ? `remove fixedSizing (or set it to ${plural(r.shards, 'shard')} x ${plural(r.tokensPerShard, 'token')} per shard = ${plural(r.clients, 'OAuth client')}, ${plural(r.tokens, 'token')}), as the planner recommends`
        : `use ${plural(r.shards, 'shard')} x ${plural(r.tokensPerShard, 'token')} per shard`,
    );
  }
  for (const u of over.filter((x) => !x.adjustable)) {
    const declared = limits.find((l) => l.name === u.limit)?.confidence === 'declared';
    if (declared) {
      const factor = u.usable / u.demand;
      fixes.push(
        `${u.limit} is an org-wide endpoint limit (genesys.endpointLimits): no number of tokens or OAuth clients raises it; lower the scenario's rate to ${fmt(s.virtualUsers * s.requestsPerUserPerMinute * factor)} requests/min (e.g. virtualUsers <= ${Math.floor(s.virtualUsers * factor + EPS)}) or, once Genesys has raised the limit, update requestsPerMinute of that entry`,
      );
    } else if (u.limit === RECORDING_JOBS_LIMIT) {
      fixes.push(
        `at most ${fmt(u.usable)} recording bulk jobs run at once per org: use ${fmt(u.usable)} virtual users or fewer and widen each job's interval`,
      );
    } else {
      const factor = u.usable / u.demand;
      const maxUsers = Math.floor(s.virtualUsers * factor + EPS);
      fixes.push(
        `sharding cannot help with ${u.limit} (${u.scope} scope): lower the rate to ${fmt(s.virtualUsers * s.requestsPerUserPerMinute * factor)} requests/min (e.g. virtualUsers <= ${maxUsers}), have Genesys raise the limit and set genesys.limits.${u.limit}, or move the calls to the async pipeline`,
      );
    }
  }
  if (fixes.length === 0) fixes.push('lower virtualUsers or requestsPerUserPerMinute, or move the calls to the async pipeline');
  if (!s.expectThrottling) fixes.push(`or set expectThrottling: true on scenario ${s.name} if throttling is the point of the test`);
  return fixes.join('; ');
}
