/**
 * Renders a RateBudget for people (`npm run budget`) and for machines (`--json`). Pure: no I/O.
 */
import { costSection } from '../cost/format';
import { describeUse } from './messages';
import { round1, type RateBudget, type ScenarioPlan, type Sizing } from './model';

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

/** The terminal width the text fits: a 100-column terminal shows it without wrapping. */
export const TEXT_WIDTH = 100;

/** Word-wraps one line to `width`; continuation lines get `indent` more spaces than the first. */
export function wrapLine(text: string, width = TEXT_WIDTH, indent = 4): string {
  const lead = /^ */.exec(text)?.[0] ?? '';
  const words = text.trim().split(/ +/);
  const lines: string[] = [];
  let line = lead;
  for (const word of words) {
    const candidate = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length > width && line.trim() !== '') {
      lines.push(line);
      line = `${lead}${' '.repeat(indent)}${word}`;
    } else line = candidate;
  }
  lines.push(line);
  return lines.join('\n');
}

const TASK_CHOSEN_BY: Record<ScenarioPlan['task']['chosenBy'], string> = {
  picked: 'picked: fewest vCPU-hours',
  'runners.cpu': 'runners.cpu',
  'runners.cpu/memoryMiB': 'runners.cpu/memoryMiB',
};

/** The shards' Fargate size and what one shard of it carries (lib/ratelimits/capacity.ts). */
function taskText(s: ScenarioPlan): string {
  const t = s.task;
  return `task ${t.cpu / 1024} vCPU / ${t.memoryMiB} MiB (${TASK_CHOSEN_BY[t.chosenBy]}; a shard carries ${round1(t.capacity.requestsPerMinute)} requests/min, ${t.capacity.threads} threads)`;
}

/** One row per scenario; the binding limit and clients go on a detail line below, to fit 100 columns. */
function scenarioTable(plan: RateBudget): string {
  const header = ['scenario', 'users', 'req/min', 'util', '1 token', 'shards x tok', 'per shard', 'verdict'];
  const numeric = [false, true, true, true, true, false, true, false];
  const rows = plan.scenarios.map((s) => [
    s.name,
    String(s.virtualUsers),
    String(round1(s.requestsPerMinute)),
    bindingPct(s.sizing),
    bindingPct(s.naive),
    `${s.sizing.shards} x ${s.sizing.tokensPerShard}${s.fixed ? ' (fixed)' : ''}`,
    String(round1(s.sizing.perShardRequestsPerMinute)),
    VERDICT_LABEL[s.verdict],
  ]);
  const details = plan.scenarios.map(
    (s) =>
      `  ${s.name}: binding limit ${s.sizing.binding.limit}, ${s.sizing.clients} OAuth client${s.sizing.clients === 1 ? '' : 's'}; ${taskText(s)}`,
  );
  return [renderTable(header, rows, numeric), '', ...details.map((d) => wrapLine(d))].join('\n');
}

function findingLines(plan: RateBudget): string[] {
  const scenarioNotes = plan.scenarios.flatMap((s) =>
    s.findings.map((f) => `  ${f.severity === 'error' ? 'error' : 'warning'}: ${s.name}: ${f.message}`),
  );
  const envNotes = plan.findings.map((f) => `  ${f.severity}: ${f.message}`);
  return scenarioNotes.length || envNotes.length ? ['Findings:', ...scenarioNotes, ...envNotes, ''] : [];
}

function workerLines(plan: RateBudget): string[] {
  const w = plan.metadataWorker;
  const r = plan.reportWorker;
  return [
    'Workers:',
    `  metadata worker: ${w.neededRequestsPerMinute} requests/min needed; concurrency ${w.concurrency}, ${round1(w.requestsPerMinutePerInvocation)} requests/min per invocation, ${round1(w.requestsPerMinute)} in all${w.withinBudget ? '' : ' (OVER BUDGET)'}`,
    `  report worker: concurrency ${r.concurrency}, ${round1(r.requestsPerMinutePerInvocation)} requests/min per invocation`,
    '',
  ];
}

function limitNote(l: RateBudget['limits'][number]): string {
  if (l.confidence === 'declared') return `declared in genesys.endpointLimits (${l.appliesTo.join(', ')})`;
  if (l.overridden) return `overridden (default ${l.defaultValue})`;
  // npm run preflight reads every unconfirmed limit, the token-creation one (no published key) included.
  return `UNCONFIRMED default: npm run preflight checks it against your org (docs/unconfirmed-facts.md)`;
}

function limitLines(plan: RateBudget): string[] {
  const notable = plan.limits.filter((l) => l.overridden || l.confidence === 'unconfirmed' || l.confidence === 'declared');
  if (!notable.length) return [];
  return ['Limits to know about:', ...notable.map((l) => `  ${l.name} = ${l.value} ${l.unit} per ${l.scope}: ${limitNote(l)}`), ''];
}

/**
 * The human-readable budget: scenarios table, findings, workers, totals, the limits used. Every
 * line fits TEXT_WIDTH columns (prose wraps with a hanging indent); `--json` has the full figures.
 */
export function formatBudget(plan: RateBudget): string {
  const over = plan.scenarios.filter((s) => s.verdict === 'over-budget' || s.verdict === 'invalid').length;
  const lines = [
    `Rate budget for ${plan.environment} (headroom ${plan.headroomPercent} %: ${round1(plan.usablePerToken)} requests/min per token, ${round1(plan.usablePerClient)} per OAuth client)`,
    '',
    scenarioTable(plan),
    '',
    ...findingLines(plan),
    "Token creation (assumed spread over each scenario's ramp-up; the limit counts per OAuth client):",
    ...plan.scenarios.map((s) => `  ${s.name}: ${s.tokenCreation.assumption}`),
    '',
    ...workerLines(plan),
    ...costSection(plan.cost),
    `Totals: ${round1(plan.totals.requestsPerMinute)} requests/min, ${plan.totals.shards} shards, ${plan.totals.tokens} tokens, ${plan.runnerClients} runner OAuth clients`,
    '',
    ...limitLines(plan),
    plan.ok ? 'Within budget.' : `NOT within budget: ${over} scenario(s) to fix (see Findings).`,
    '',
    "util = the binding limit's use with the planned sizing, as a share of the limit (the budget ends at " +
      `${100 - plan.headroomPercent} %); 1 token = the same with every thread on one token and one client; ` +
      'per shard = requests/min one shard is paced to.',
  ];
  return lines
    .join('\n')
    .split('\n')
    .map((l) => (l.length > TEXT_WIDTH ? wrapLine(l) : l))
    .join('\n');
}

/** The JSON form: the plan itself plus, per scenario, every limit use spelled out. */
export function budgetJson(plan: RateBudget): unknown {
  return {
    ...plan,
    scenarios: plan.scenarios.map((s) => ({
      ...s,
      summary: s.sizing.uses.map((u) => describeUse(u, plan.headroomPercent)),
    })),
  };
}
