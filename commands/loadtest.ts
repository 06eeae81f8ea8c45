/**
 * `npm run loadtest`: validates the environment and scenario, uploads the test's JMeter plan
 * next to its results, starts the state machine and prints where everything lands. AWS clients
 * are injected so tests run it against fakes; `--dry-run` touches no AWS API at all.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseArgs } from '../lib/cli';
import { ConfigError, loadEnvironment, selectedEnvironmentName, type Environment } from '../lib/config';
import { estimateLaunch } from '../lib/cost/estimate';
import { costDetail, dollars } from '../lib/cost/format';
import { testKey } from '../lib/contracts/test-keys';
import { priceTable } from '../lib/cost/prices';
import { planBudget, scenarioPlan, type RateBudget } from '../lib/ratelimits';
import { sleep as sleepFor } from '../lib/contracts/clock';
import { generateTestPlan } from '../loadtest/jmx/generate';
import type { ReportCost } from '../loadtest/report';
import { buildLoadTestLaunch, type LoadTestLaunch } from '../lib/runners/execution-input';
import { shardFailureOf } from '../lib/runners/shard-exit';

export const LOADTEST_USAGE =
  'usage: npm run loadtest -- --env <env> --scenario <name> [--test-id <env>_<id>] [--shards N] [--duration-sec N] [--jmx <file>] [--params <file.csv>] [--dry-run] [--watch]';

export const LOADTEST_HELP = `${LOADTEST_USAGE}

Starts a distributed JMeter test on the environment's deployed runners (<env>-runners): checks
the scenario against the budget, generates its plan (or takes --jmx), uploads it to the results
bucket and starts the load-test state machine. Prints the execution, its console link, where the
raw results and report.html will land, and the log group. Needs AWS credentials (region from the
environment file), except with --dry-run.

  --env <env>            environments/<env>.json (default: LOADLAB_ENV, else example)
  --scenario <name>      required: a scenario of the environment's loadProfile.scenarios
  --test-id <env>_<id>   the test id, at most 36 characters (default <env>_<yyMMdd-HHmmss>, UTC);
                         also the execution name, so it can be used once
  --shards N             run fewer shards than planned (each keeps its budgeted rate); more is refused
  --duration-sec N       test length in seconds including ramp-up (default the scenario's durationSec)
  --jmx <file>           your own plan instead of the generated one
  --params <file.csv>    ids for the scenario's {placeholders} (header line = placeholder names);
                         required when the scenario's paths have any
  --dry-run              print the state machine input and what would be uploaded; call nothing
  --watch                poll the execution every 15 s until it ends, then print the run's actual
                         AWS cost beside the estimate (from the report); exit non-zero if it failed
  --help                 print this and exit

Exit codes: 0 started (with --watch: succeeded); 1 the test failed or AWS refused; 2 bad
arguments, a bad environment file or an over-budget scenario.`;

export interface LoadTestDeps {
  readonly s3: () => Pick<S3Client, 'send'>;
  readonly sfn: () => Pick<SFNClient, 'send'>;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  /** Environment loader (tests point it at temporary files). */
  readonly loadEnv?: (name: string) => Environment;
  /** Waits between status polls of --watch. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The real clients, in the region of the environment file (not the caller's AWS profile). */
export function awsLoadTestDeps(argv: readonly string[]): LoadTestDeps {
  const region = (): string => {
    // runLoadTest parses argv first (bad flags never get here); the last --env wins, as there.
    let name = selectedEnvironmentName();
    argv.forEach((arg, i) => {
      if (arg === '--env' && argv[i + 1] !== undefined) name = argv[i + 1];
      else if (arg.startsWith('--env=')) name = arg.slice('--env='.length);
    });
    return loadEnvironment(name).config.aws.region;
  };
  return {
    s3: () => new S3Client({ region: region() }),
    sfn: () => new SFNClient({ region: region() }),
    now: () => new Date(),
    log: (line) => console.log(line),
  };
}

const integer = (flag: string, value: string | undefined, problems: string[]): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    problems.push(`${flag} must be a whole number (got ${JSON.stringify(value)})`);
    return undefined;
  }
  return Number(value);
};

/** The lines printed after a start (or a dry run). */
export function describeLaunch(launch: LoadTestLaunch, started: boolean): string[] {
  const { input } = launch;
  return [
    `${started ? 'started' : 'would start'} test ${input.testId}: scenario ${input.scenario}, ${input.shards} shard(s), ${input.durationSec} s, about ${Math.round(launch.targetRequestsPerMinute)} requests/min (${Math.round(launch.perShardRequestsPerMinute)} per shard)`,
    ...launch.warnings.map((w) => `warning: ${w}`),
    `  execution   ${launch.executionArn}`,
    `  console     ${launch.executionConsoleUrl}`,
    `  plan        s3://${launch.resultsBucket}/${launch.planKey}`,
    `  raw results ${launch.resultsUri}shards/<n>/`,
    `  report      ${launch.reportHtmlUri}`,
    `              ${launch.reportJsonUri}`,
    `              ${launch.reportConsoleUrl}`,
    `  shard logs  ${launch.logGroup} (${launch.logsConsoleUrl})`,
    `  watch       aws stepfunctions describe-execution --execution-arn ${launch.executionArn} --query status`,
  ];
}

/** `cost: actual $0.0412, estimated $0.0500 (prices: the us-east-1 table of 2026-12-07)` from the report's figures. */
function costLine(
  c: { actualUsd?: number; estimateUsd?: number | null; region?: string; pricesDate?: string } | undefined,
): string | undefined {
  if (typeof c?.actualUsd !== 'number') return undefined;
  const estimate = typeof c.estimateUsd === 'number' ? `, estimated ${dollars(c.estimateUsd)}` : '';
  return `cost: actual ${dollars(c.actualUsd)}${estimate} (prices: the ${c.region} table of ${c.pricesDate}; every line in report.html)`;
}

/**
 * The run's actual cost as the report step priced it: from the execution's output (the report
 * step's) when it succeeded, else from the partial report.json; never fails the command.
 */
async function logRunCost(succeeded: boolean, output: string | undefined, launch: LoadTestLaunch, deps: LoadTestDeps): Promise<void> {
  try {
    if (succeeded) {
      const cost = output ? (JSON.parse(output) as { cost?: Parameters<typeof costLine>[0] }).cost : undefined;
      return deps.log(costLine(cost) ?? `cost: unknown — the report step priced nothing (see ${launch.reportJsonUri})`);
    }
    const key = testKey('reportJson', { testId: launch.input.testId });
    const object = (await deps.s3().send(new GetObjectCommand({ Bucket: launch.resultsBucket, Key: key }))) as {
      Body?: { transformToString(): Promise<string> };
    };
    const c = object.Body ? (JSON.parse(await object.Body.transformToString()) as { cost?: ReportCost }).cost : undefined;
    const line =
      c?.actual &&
      costLine({ actualUsd: c.actual.usd, estimateUsd: c.estimate?.usd, region: c.prices?.region, pricesDate: c.prices?.date });
    deps.log(line || (c?.unknown ?? 'cost: unknown — no partial report.json with a cost'));
  } catch (err) {
    deps.log(`cost: unknown — ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function watch(launch: LoadTestLaunch, deps: LoadTestDeps): Promise<number> {
  const sleep = deps.sleep ?? sleepFor;
  const started = deps.now().getTime();
  let last = '';
  for (;;) {
    const out = await deps.sfn().send(new DescribeExecutionCommand({ executionArn: launch.executionArn }));
    const status = out.status ?? 'UNKNOWN';
    const elapsed = Math.round((deps.now().getTime() - started) / 1000);
    if (status !== last) deps.log(`[${elapsed} s] ${status}`);
    last = status;
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      await logRunCost(status === 'SUCCEEDED', out.output, launch, deps);
      if (status === 'SUCCEEDED') {
        deps.log(`report: ${launch.reportHtmlUri}`);
        return 0;
      }
      // Which shard failed and why (its exit code, ECS's stopped reason), from the task the failure
      // carries (docs/runners.md); the raw cause, a whole ECS task, only when it holds none.
      const shard = shardFailureOf(out.cause);
      deps.log(`the test ended ${status}${out.error ? `: ${out.error}` : ''}${out.cause && !shard ? ` (${out.cause})` : ''}`);
      if (shard) deps.log(shard);
      deps.log(`a partial report, if any shard uploaded results: ${launch.reportHtmlUri}`);
      return 1;
    }
    await sleep(15_000);
  }
}

/**
 * The plan: the user's own .jmx, or the one generated from the scenario and its budget, with what
 * the report draws as the planned rate (the generated plan at the shards this test runs).
 */
function testPlan(
  env: Environment,
  plan: RateBudget,
  launch: LoadTestLaunch,
  jmx: string | undefined,
  hasParams: boolean,
): { planXml: string; planSummary: string | undefined } {
  if (jmx) {
    const planXml = readFileSync(jmx, 'utf8');
    if (!planXml.includes('<jmeterTestPlan')) throw new ConfigError([`--jmx ${jmx} is not a JMeter test plan (no <jmeterTestPlan>)`]);
    return { planXml, planSummary: undefined };
  }
  const generated = generateTestPlan(env, plan, launch.input.scenario);
  const planSummary =
    JSON.stringify({ ...generated.summary, shards: launch.input.shards, durationSec: launch.input.durationSec }, null, 2) + '\n';
  if (generated.summary.csvColumns.length > 0 && !hasParams) {
    throw new ConfigError([
      `--params is required for scenario ${launch.input.scenario}: its paths need ids; give a CSV whose header line is ${generated.summary.csvColumns.join(',')}`,
    ]);
  }
  return { planXml: generated.xml, planSummary };
}

/** `--dry-run`: the execution input, where everything would land, and what the run would cost. */
function logDryRun(env: Environment, plan: RateBudget, launch: LoadTestLaunch, deps: LoadTestDeps): void {
  deps.log(JSON.stringify(launch.input, null, 2));
  for (const line of describeLaunch(launch, false)) deps.log(line);
  const prices = priceTable(env.config.aws.region, env.config.cost.prices);
  const planned = scenarioPlan(plan, launch.input.scenario);
  const runCost = estimateLaunch(env.config, planned, { shards: launch.input.shards, durationSec: launch.input.durationSec }, prices);
  for (const line of costDetail(runCost, plan.cost)) deps.log(line);
}

/** Runs the command; returns the exit code. Throws UsageError for unknown flags, ConfigError for bad values or configuration. */
export async function runLoadTest(argv: readonly string[], deps: LoadTestDeps): Promise<number> {
  const { values } = parseArgs(argv, {
    env: { type: 'string' },
    scenario: { type: 'string' },
    'test-id': { type: 'string' },
    shards: { type: 'string' },
    'duration-sec': { type: 'string' },
    jmx: { type: 'string' },
    params: { type: 'string' },
    'dry-run': { type: 'boolean' },
    watch: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    deps.log(LOADTEST_HELP);
    return 0;
  }
  const problems: string[] = [];
  if (!values.scenario) problems.push('--scenario is required: a scenario name from the environment file');
  const shards = integer('--shards', values.shards, problems);
  const durationSec = integer('--duration-sec', values['duration-sec'], problems);
  if (problems.length > 0) throw new ConfigError([...problems, LOADTEST_USAGE]);

  const nameFrom = values.env !== undefined ? '--env' : 'LOADLAB_ENV';
  const env = (deps.loadEnv ?? ((name: string) => loadEnvironment(name, { nameFrom })))(values.env ?? selectedEnvironmentName());
  const plan = planBudget(env.config);
  const launch = buildLoadTestLaunch(env, plan, {
    scenario: values.scenario!,
    testId: values['test-id'],
    shards,
    durationSec,
    params: values.params !== undefined,
    now: deps.now(),
  });

  const { planXml, planSummary } = testPlan(env, plan, launch, values.jmx, Boolean(values.params));
  const params = values.params ? readFileSync(values.params) : undefined;

  if (values['dry-run']) {
    logDryRun(env, plan, launch, deps);
    return 0;
  }

  const s3 = deps.s3();
  // The bucket's default encryption (the archive key) applies; no ACLs, the bucket enforces ownership.
  await s3.send(new PutObjectCommand({ Bucket: launch.resultsBucket, Key: launch.planKey, Body: planXml, ContentType: 'application/xml' }));
  if (planSummary) {
    await s3.send(
      new PutObjectCommand({
        Bucket: launch.resultsBucket,
        Key: launch.planSummaryKey,
        Body: planSummary,
        ContentType: 'application/json',
      }),
    );
  }
  if (params) {
    await s3.send(new PutObjectCommand({ Bucket: launch.resultsBucket, Key: launch.paramsKey, Body: params, ContentType: 'text/csv' }));
  }
  try {
    await deps.sfn().send(
      new StartExecutionCommand({
        stateMachineArn: launch.stateMachineArn,
        name: launch.executionName,
        input: JSON.stringify(launch.input),
      }),
    );
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'ExecutionAlreadyExists') {
      throw new ConfigError([`--test-id ${launch.input.testId} was already used; choose another or omit --test-id`]);
    }
    if (name === 'StateMachineDoesNotExist') {
      throw new ConfigError([`no state machine ${launch.stateMachineArn}: deploy ${env.stackNames.runners} first`]);
    }
    throw err;
  }
  for (const line of describeLaunch(launch, true)) deps.log(line);
  return values.watch ? watch(launch, deps) : 0;
}
