/**
 * What `npm run loadtest` sends to the state machine and prints, computed from the environment
 * alone (every name is deterministic), so it is pure and `--dry-run` needs no AWS access.
 */
import { archiveNames } from '../archive/refs';
import { ConfigError, type Environment } from '../config';
import { scenarioPlan, type RateBudget } from '../ratelimits';
import { consoleHost } from './arn';
import { MAX_DURATION_SEC, MIN_DURATION_SEC, type LoadTestInput } from '../contracts/load-test-input';
import { defaultTestId, executionArn, runnerNames, stateMachineArn, testIdProblem, testKeys } from './naming';

/** The state machine input as `npm run loadtest` sends it: shards and duration always explicit. */
export type LoadTestLaunchInput = LoadTestInput & Required<Pick<LoadTestInput, 'shards' | 'durationSec'>>;

export interface LoadTestRequest {
  readonly scenario: string;
  /** Default `<env>_<yyMMdd-HHmmss>`. */
  readonly testId?: string;
  /** Run fewer shards than planned (a smaller rehearsal). Default: the planned count. */
  readonly shards?: number;
  /** Default: the scenario's durationSec. */
  readonly durationSec?: number;
  /** An ids CSV goes with the plan. Default false. */
  readonly params?: boolean;
  readonly now: Date;
}

export interface LoadTestLaunch {
  readonly input: LoadTestLaunchInput;
  readonly stateMachineArn: string;
  /** Execution name = test id, so the execution ARN and console link are known before starting. */
  readonly executionName: string;
  readonly executionArn: string;
  readonly executionConsoleUrl: string;
  readonly resultsBucket: string;
  readonly planKey: string;
  readonly planSummaryKey: string;
  readonly paramsKey: string;
  /** `s3://<results bucket>/results/<testId>/` */
  readonly resultsUri: string;
  readonly reportJsonUri: string;
  readonly reportHtmlUri: string;
  readonly reportConsoleUrl: string;
  readonly logGroup: string;
  readonly logsConsoleUrl: string;
  /** Requests/min the whole test aims for, and per shard. */
  readonly targetRequestsPerMinute: number;
  readonly perShardRequestsPerMinute: number;
  readonly warnings: readonly string[];
}

const isPositiveInt = (n: number | undefined): boolean => n !== undefined && Number.isInteger(n) && n >= 1;

/** Validates a request against the environment and its rate budget; throws ConfigError naming every bad flag. */
export function buildLoadTestLaunch(env: Environment, plan: RateBudget, request: LoadTestRequest): LoadTestLaunch {
  const sp = scenarioPlan(plan, request.scenario);
  const problems: string[] = [];
  const warnings: string[] = [];
  if (sp.verdict === 'over-budget' || sp.verdict === 'invalid') {
    problems.push(
      `--scenario ${sp.name} is ${sp.verdict} in ${env.sourceFile}: ${sp.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join('; ')}`,
    );
  } else if (sp.verdict === 'throttling-expected') {
    warnings.push(`scenario ${sp.name} is a deliberate capacity test (expectThrottling): expect 429s`);
  }
  const testId = request.testId ?? defaultTestId(env.name, request.now);
  const idProblem = testIdProblem(env.name, testId);
  if (idProblem) problems.push(`--test-id ${idProblem}; omit it to get one like ${defaultTestId(env.name, request.now)}`);
  const shards = request.shards ?? sp.sizing.shards;
  if (!isPositiveInt(shards) || shards > sp.sizing.shards) {
    problems.push(
      `--shards must be an integer from 1 to ${sp.sizing.shards}, the shards (OAuth clients) planned for ${sp.name} (got ${request.shards}); raise loadProfile.shards to plan more`,
    );
  }
  const durationSec = request.durationSec ?? sp.durationSec;
  if (!Number.isInteger(durationSec) || durationSec < MIN_DURATION_SEC || durationSec > MAX_DURATION_SEC) {
    problems.push(`--duration-sec must be an integer from ${MIN_DURATION_SEC} to ${MAX_DURATION_SEC} (got ${request.durationSec})`);
  } else if (durationSec <= sp.rampUpSec) {
    warnings.push(`--duration-sec ${durationSec} is not longer than the ramp-up (${sp.rampUpSec} s): the shards never reach full load`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (shards < sp.sizing.shards) {
    warnings.push(
      `running ${shards} of ${sp.sizing.shards} planned shards: about ${Math.round((shards / sp.sizing.shards) * 100)} % of the load`,
    );
  }

  const { region, accountId } = env.config.aws;
  const names = runnerNames(env.name, env.resourcePrefix);
  const bucket = archiveNames(env.archiveOwner, accountId).resultsBucket;
  const host = consoleHost(region);
  const smArn = stateMachineArn(region, accountId, names.stateMachine);
  const exArn = executionArn(region, accountId, names.stateMachine, testId);
  const reportPrefix = `results/${testId}/`;
  return {
    input: { testId, scenario: sp.name, shards, durationSec, ...(request.params ? { params: true } : {}) },
    stateMachineArn: smArn,
    executionName: testId,
    executionArn: exArn,
    executionConsoleUrl: `https://${host}/states/home?region=${region}#/v2/executions/details/${exArn}`,
    resultsBucket: bucket,
    planKey: testKeys.plan(testId, sp.name),
    planSummaryKey: testKeys.planSummary(testId, sp.name),
    paramsKey: testKeys.params(testId, sp.name),
    resultsUri: `s3://${bucket}/${testKeys.test(testId)}`,
    reportJsonUri: `s3://${bucket}/${testKeys.reportJson(testId)}`,
    reportHtmlUri: `s3://${bucket}/${testKeys.reportHtml(testId)}`,
    reportConsoleUrl: `https://${host}/s3/buckets/${bucket}?region=${region}&prefix=${encodeURIComponent(reportPrefix)}`,
    logGroup: names.logGroup,
    logsConsoleUrl: `https://${host}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encodeURIComponent(encodeURIComponent(names.logGroup))}`,
    targetRequestsPerMinute: sp.sizing.perShardRequestsPerMinute * shards,
    perShardRequestsPerMinute: sp.sizing.perShardRequestsPerMinute,
    warnings,
  };
}
