/**
 * `npm run jmx`: writes the JMeter plan of one scenario, taken by name from the rate budget. One
 * plan serves every shard: the budgeted values are property defaults the runner overrides per
 * shard. bin/jmx.ts is its entry point.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from '../lib/cli';
import { ConfigError, loadSelectedEnvironment } from '../lib/config';
import { planBudget } from '../lib/ratelimits';
import { generateTestPlan } from '../loadtest/jmx/generate';
import type { TestPlanSummary } from '../loadtest/jmx/test-plan-summary';

export const JMX_USAGE = 'usage: npm run jmx -- --env <env> --scenario <name> --out <file.jmx> [--params-csv <file>] [--summary]';

const HELP = `${JMX_USAGE}

Writes one scenario's JMeter plan, sized by the budget planner (npm run budget). One plan serves
every shard: each budgeted figure is the default of a JMeter property (TARGET_RPM, THREADS,
TOKENS_PER_SHARD, ...) that the runner overrides per shard. No credentials needed; about 1 s.

  --env <env>          environments/<env>.json (default: LOADLAB_ENV, else example)
  --scenario <name>    required: a scenario of the environment's loadProfile.scenarios
  --out <file.jmx>     required: where to write the plan (folders are created)
  --params-csv <file>  default of the PARAMS_CSV property: the CSV of path ids ({conversationId}, ...)
                       the plan reads (default <scenario>.params.csv); the command prints its columns
  --summary            also write <out without .jmx>.summary.json: sizing, endpoints and every
                       property with its default (npm run report reads it for the planned rate)
  --help               print this and exit

Exit codes: 0 written; 2 bad arguments, a bad environment file or a scenario that cannot be
planned (over budget, unknown endpoint), each problem on its own error: line.`;

function describe(summary: TestPlanSummary, out: string, summaryFile: string | undefined): string[] {
  const lines = [
    `wrote ${out}${summaryFile ? ` and ${summaryFile}` : ''}`,
    `  scenario ${summary.scenario}: ${summary.shards} shard(s) x ${summary.threadsPerShard} threads, ${summary.targetRpmPerShard} requests/min and ${summary.tokensPerShard} token(s) per shard`,
    `  ramp-up ${summary.rampUpSec} s, duration ${summary.durationSec} s, mean think time ${summary.thinkTimeSec.toFixed(1)} s per user, tokens refreshed every ${summary.tokenRefreshSec} s`,
    ...summary.endpoints.map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)} %  ${e.label}`),
  ];
  if (summary.csvColumns.length > 0) {
    lines.push(`  ids come from ${summary.paramsCsv} (property PARAMS_CSV), header line: ${summary.csvColumns.join(',')}`);
  }
  for (const w of summary.warnings) lines.push(`  warning: ${w}`);
  // The secret goes in a properties file: a -J value would show in `ps` and in the shell history.
  lines.push(
    `  run one shard by hand: jmeter -n -t ${out} -l shard-0.jtl -q loadtest/image/loadlab.properties -q client.properties`,
    '    (client.properties holds CLIENT_ID=... and CLIENT_SECRET=...; the image does this for you)',
  );
  return lines;
}

/** Writes the plan (and its summary); 0 when written. Bad input: ConfigError naming each problem. */
export function runJmx(argv: readonly string[]): number {
  const { values } = parseArgs([...argv], {
    env: { type: 'string' },
    scenario: { type: 'string' },
    out: { type: 'string' },
    'params-csv': { type: 'string' },
    summary: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const problems: string[] = [];
  if (!values.scenario) problems.push('--scenario is required: the scenario name from the environment file');
  if (!values.out) problems.push('--out is required: where to write the .jmx (e.g. build/agent-scripts.jmx)');
  if (problems.length > 0) throw new ConfigError([...problems, JMX_USAGE]);
  const env = loadSelectedEnvironment(values.env);
  const plan = planBudget(env.config);
  const generated = generateTestPlan(env, plan, values.scenario!, { paramsCsv: values['params-csv'] });
  const out = path.resolve(values.out!);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, generated.xml);
  const summaryFile = values.summary ? out.replace(/\.jmx$/, '') + '.summary.json' : undefined;
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify(generated.summary, null, 2) + '\n');
  const rel = (p: string | undefined): string | undefined => p && path.relative(process.cwd(), p);
  for (const line of describe(generated.summary, rel(out)!, rel(summaryFile))) console.log(line);
  return 0;
}
