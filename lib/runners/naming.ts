/**
 * Names and key layout shared by the runners stack (IAM scopes, state machine) and the
 * `npm run loadtest` command, so both derive them from the environment alone. Pure: no cdktf.
 */
import { testKey } from '../contracts/test-keys';
import { awsPartitionOf } from '../config/regions';
import { clientSecretName } from '../secrets/names';

/** The one container of the JMeter task definition (container overrides address it by name). */
export const RUNNER_CONTAINER_NAME = 'jmeter';

/**
 * The image contract (loadtest/Dockerfile): JMeter runs as this non-root uid, and only these
 * paths are writable (the root filesystem is read-only): Java temp files, the entrypoint's work
 * folder (plan, secret properties, results) and the user's home (AWS CLI and JMeter caches).
 * Fargate copies an image directory's owner and mode into the ephemeral volume mounted there.
 */
export const RUNNER_USER = '10001';
export const RUNNER_WRITABLE_PATHS = { tmp: '/tmp', work: '/work', home: '/home/jmeter' } as const;

/**
 * Step Functions' inline Map runs at most 40 iterations at once; more shards would start
 * after the first ones finish, long past the common start time.
 */
export const MAX_SHARDS_PER_TEST = 40;

/** ECS `startedBy` is at most 36 characters, and the test id is what stops a test's tasks. */
export const MAX_TEST_ID_LENGTH = 36;

export interface RunnerNames {
  readonly cluster: string;
  readonly taskFamily: string;
  readonly repository: string;
  readonly logGroup: string;
  readonly stateMachine: string;
  readonly stateMachineLogGroup: string;
  readonly reportFunction: string;
  readonly executionRole: string;
  readonly stateMachineRole: string;
  readonly securityGroup: string;
  /** Task role of runner OAuth client `index` (one per shard across all scenarios). */
  shardRole(clientIndex: number): string;
  /** Secrets Manager name of runner OAuth client `index`. */
  shardSecret(clientIndex: number): string;
}

/** Physical names of an environment's runners, from its resource prefix (`loadlab-<env>`). */
export function runnerNames(envName: string, resourcePrefix: string): RunnerNames {
  return {
    cluster: `${resourcePrefix}-runners`,
    taskFamily: `${resourcePrefix}-jmeter`,
    repository: `${resourcePrefix}/jmeter`,
    logGroup: `/loadlab/${envName}/runners`,
    stateMachine: `${resourcePrefix}-loadtest`,
    stateMachineLogGroup: `/aws/vendedlogs/states/${resourcePrefix}-loadtest`,
    reportFunction: `${resourcePrefix}-report-step`,
    executionRole: `${resourcePrefix}-runner-execution`,
    stateMachineRole: `${resourcePrefix}-loadtest-sfn`,
    securityGroup: `${resourcePrefix}-runners`,
    shardRole: (i) => `${resourcePrefix}-runner-${i}`,
    shardSecret: (i) => clientSecretName(envName, `runner-${i}`),
  };
}

/**
 * Test ids are `<env>_<suffix>`. Environment names never contain `_`, so `<env>_*` matches
 * only this environment's tests even when `pr-*` environments share the base's results bucket:
 * the IAM grants of the shard roles and the report step rely on it.
 */
export const testIdPrefix = (envName: string): string => `${envName}_`;

/** The regular expression (source) a test id of `envName` must match. */
export const testIdPattern = (envName: string): string => `^${envName}_[a-z0-9][a-z0-9-]*$`;

/** Why `testId` is not a valid test id of `envName`, or undefined when it is. */
export function testIdProblem(envName: string, testId: string): string | undefined {
  if (!new RegExp(testIdPattern(envName)).test(testId)) {
    return `must be "${testIdPrefix(envName)}" followed by lower-case letters, digits or - (got ${JSON.stringify(testId)})`;
  }
  if (testId.length > MAX_TEST_ID_LENGTH) {
    return `must be at most ${MAX_TEST_ID_LENGTH} characters, the limit of ECS startedBy that stops its tasks (got ${testId.length})`;
  }
  return undefined;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A default test id: `<env>_<yyMMdd>-<HHmmss>` (UTC), or `<env>_<base-36 seconds>` when the
 * environment name is too long for the readable form.
 */
export function defaultTestId(envName: string, now: Date): string {
  const d = now;
  const readable = `${testIdPrefix(envName)}${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  if (readable.length <= MAX_TEST_ID_LENGTH) return readable;
  return `${testIdPrefix(envName)}${Math.floor(d.getTime() / 1000).toString(36)}`;
}

/** Key layout of one test in the results bucket, below `results/<testId>/` (templates in lib/contracts/test-keys.ts). */
export const testKeys = {
  test: (testId: string): string => testKey('test', { testId }),
  planFolder: (testId: string): string => testKey('planFolder', { testId }),
  plan: (testId: string, scenario: string): string => testKey('plan', { testId, scenario }),
  planSummary: (testId: string, scenario: string): string => testKey('planSummary', { testId, scenario }),
  params: (testId: string, scenario: string): string => testKey('params', { testId, scenario }),
  shards: (testId: string): string => testKey('shards', { testId }),
  shard: (testId: string, index: number): string => testKey('shard', { testId, shard: index }),
  reportJson: (testId: string): string => testKey('reportJson', { testId }),
  reportHtml: (testId: string): string => testKey('reportHtml', { testId }),
} as const;

/** The ARN of the state machine, derived from its deterministic name. */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:${awsPartitionOf(region)}:states:${region}:${accountId}:stateMachine:${name}`;
}

/** The ARN an execution named `executionName` gets. */
export function executionArn(region: string, accountId: string, stateMachine: string, executionName: string): string {
  return `arn:${awsPartitionOf(region)}:states:${region}:${accountId}:execution:${stateMachine}:${executionName}`;
}
