/**
 * Renders a BudgetPlan for people (`npm run budget`) and for machines (`--json`). Pure: no I/O.
 */
import { describeUse } from './messages';
import { round1, type BudgetPlan, type ScenarioPlan, type Sizing } from './model';

const pct = (n: number): string => `${Math.round(n * 100)} %`;

/** Utilisation of the binding limit, as a share of the limit itself (the budget ends at 100 - headroom %). */
const bindingPct = (s: Sizing): string => pct(s.binding.utilisation);

const VERDICT_LABEL: Record<ScenarioPlan['verdict'], string> = {
  ok: 'ok',
  'over-budget': 'OVER BUDGET',
  'throttling-expected': 'throttling expected',
  invalid: 'INVALID',
};

/** Left-aligned text columns, right-aligned numbers; widths fit the content. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The human-readable budget: scenarios table, findings, workers, totals, the limits used. */
export function formatBudget(plan: BudgetPlan): string {
  const out: string[] = [];
  out.push(
    `Rate budget for ${plan.environment} (headroom ${plan.headroomPercent} %: ${round1(plan.usablePerToken)} requests/min per token, ${round1(plan.usablePerClient)} per OAuth client)`,
    '',
  );
  const header = [
    'scenario',
    'users',
    'req/min',
    'binding limit',
    'util',
    'one token',
    'shards x tokens',
    'clients',
    'req/min/shard',
    'verdict',
  ];
  const numeric = [false, true, true, false, true, true, false, true, true, false];
  const rows = plan.scenarios.map((s) => [
    s.name,
    String(s.virtualUsers),
    String(round1(s.requestsPerMinute)),
    s.sizing.binding.limit,
    bindingPct(s.sizing),
    bindingPct(s.naive),
    `${s.sizing.shards} x ${s.sizing.tokensPerShard}${s.fixed ? ' (fixed)' : ''}`,
    String(s.sizing.clients),
    String(round1(s.sizing.perShardRequestsPerMinute)),
    VERDICT_LABEL[s.verdict],
  ]);
  out.push(renderTable(header, rows, numeric), '');

  const scenarioNotes = plan.scenarios.flatMap((s) =>
    s.findings.map((f) => `  ${f.severity === 'error' ? 'error' : 'warning'}: ${s.name}: ${f.message}`),
  );
  const envNotes = plan.findings.map((f) => `  ${f.severity}: ${f.message}`);
  if (scenarioNotes.length || envNotes.length) out.push('Findings:', ...scenarioNotes, ...envNotes, '');

  out.push(
    "Token creation (assumed spread over each scenario's ramp-up; the limit counts per OAuth client):",
    ...plan.scenarios.map((s) => `  ${s.name}: ${s.tokenCreation.assumption}`),
    '',
  );

  const w = plan.metadataWorker;
  const r = plan.reportWorker;
  out.push(
    'Workers:',
    `  metadata worker: ${w.neededRequestsPerMinute} requests/min needed; concurrency ${w.concurrency}, ${round1(w.requestsPerMinutePerInvocation)} requests/min per invocation, ${round1(w.requestsPerMinute)} in all${w.withinBudget ? '' : ' (OVER BUDGET)'}`,
    `  report worker:   concurrency ${r.concurrency}, ${round1(r.requestsPerMinutePerInvocation)} requests/min per invocation`,
    '',
    `Totals: ${round1(plan.totals.requestsPerMinute)} requests/min, ${plan.totals.shards} shards, ${plan.totals.tokens} tokens, ${plan.runnerClients} runner OAuth clients`,
    '',
  );
  const notable = plan.limits.filter((l) => l.overridden || l.confidence === 'unconfirmed' || l.confidence === 'declared');
  if (notable.length) {
    out.push('Limits to know about:');
    for (const l of notable) {
      const note =
        l.confidence === 'declared'
          ? `declared in genesys.endpointLimits (${l.appliesTo.join(', ')})`
          : l.overridden
            ? `overridden (default ${l.defaultValue})`
            : `UNCONFIRMED default: ${l.apiKey || l.apiKeySuffix ? `read it with npm run limits:fetch${l.apiKeySuffix ? ` -- --namespace ${l.namespace}` : ''}` : `its API key is not published; set genesys.limits.${l.name}`}`;
      out.push(`  ${l.name} = ${l.value} ${l.unit} per ${l.scope}: ${note}`);
    }
    out.push('');
  }
  out.push(
    plan.ok
      ? 'Within budget.'
      : `NOT within budget: ${plan.scenarios.filter((s) => s.verdict === 'over-budget' || s.verdict === 'invalid').length} scenario(s) to fix (see Findings).`,
  );
  out.push(
    '',
    "util = the binding limit's use with the planned sizing, as a share of the limit (the budget ends at " +
      `${100 - plan.headroomPercent} %); one token = the same with every thread on one token and one client.`,
  );
  return out.join('\n');
}

/** The JSON form: the plan itself plus, per scenario, every limit use spelled out. */
export function budgetJson(plan: BudgetPlan): unknown {
  return {
    ...plan,
    scenarios: plan.scenarios.map((s) => ({
      ...s,
      summary: s.sizing.uses.map((u) => describeUse(u, plan.headroomPercent)),
    })),
  };
}
