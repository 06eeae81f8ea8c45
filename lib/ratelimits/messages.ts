/**
 * The planner's words: findings about how a scenario calls endpoints, how a limit's use reads,
 * and the fix for a scenario over budget.
 */
import type { ScenarioConfig } from '../config/schema';
import { findEndpoint, nonexistentEndpoint } from '../genesys-api/endpoints';
import { RECORDING_JOBS_LIMIT, sameTemplate, type ResolvedLimit } from './catalogue';
import { EPS, ONE_RECORDING, round1, type Finding, type LimitUse, type Sizing } from './model';

export function endpointFindings(s: ScenarioConfig): Finding[] {
  const findings: Finding[] = [];
  for (const ep of s.endpoints) {
    const missing = nonexistentEndpoint(ep.path);
    if (missing) {
      findings.push({
        severity: 'error',
        code: 'nonexistent-endpoint',
        message: `${ep.method} ${ep.path} is not a Genesys Cloud Platform API endpoint; call ${missing.useInstead.join(' or ')} instead`,
      });
      continue;
    }
    const spec = findEndpoint(ep.method, ep.path);
    if (!spec) {
      findings.push({
        severity: 'error',
        code: 'unknown-endpoint',
        message: `${ep.method} ${ep.path} is not in genesys-loadlab's endpoint catalogue (lib/genesys-api/endpoints.ts); add it there with its permissions, or correct the path`,
      });
    } else if (spec.method === 'GET' && sameTemplate(spec.path, ONE_RECORDING)) {
      findings.push({
        severity: 'warning',
        code: 'per-recording-fetch',
        message: `${ep.method} ${ep.path} fetches recordings one at a time; archive them with a recording bulk job (POST /api/v2/recording/jobs, action EXPORT to the S3 integration, at most 2 per org) or POST /api/v2/recording/batchrequests (up to 100 per request)`,
      });
    } else if (spec.kind === 'recording-metadata') {
      findings.push({
        severity: 'warning',
        code: 'sync-recording-metadata',
        message: `${ep.method} ${ep.path} fetches recording metadata synchronously in the load; production gets it from events: let the metadata worker (event pipeline) do it`,
      });
    } else if (spec.kind === 'analytics-query') {
      findings.push({
        severity: 'warning',
        code: 'sync-analytics-query',
        message: `${ep.method} ${ep.path} is the synchronous analytics query, not meant for polling or bulk reads; use POST /api/v2/analytics/conversations/details/jobs (the report worker does)`,
      });
    }
  }
  return findings;
}

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
