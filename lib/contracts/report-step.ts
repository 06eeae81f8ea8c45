/**
 * The report step's input: the load-test state machine's Report and PartialReport tasks build it
 * (lib/runners/definition.ts) and the report-step Lambda reads it (functions/report-step).
 * Declared once here, so a field cannot be sent under one name and read under another.
 */
/**
 * One shard's task as the state machine's RunShard state records it, from the ecs:runTask.sync
 * result (lib/runners/definition.ts builds it from these names). Times are epoch milliseconds as
 * Step Functions passes them, or ISO strings; a task that never started has none.
 */
export interface ShardTaskRecord {
  readonly shard: number;
  readonly taskArn?: string;
  readonly stopCode?: string;
  /** Fargate bills from here: the image pull's start. */
  readonly pullStartedAt?: number | string;
  readonly startedAt?: number | string;
  /** ... to here: the task stopped. */
  readonly stoppedAt?: number | string;
}

export interface ReportStepInput {
  readonly testId: string;
  readonly resultsBucket: string;
  readonly resultsPrefix: string;
  /** Bucket of the archived analytics job output. Default: resultsBucket. */
  readonly analyticsBucket?: string;
  /** Prefix (in resultsBucket) of the recording metadata archived during the test. */
  readonly metadataPrefix?: string;
  /** Prefix (in analyticsBucket) of the analytics job output of the test window. */
  readonly analyticsPrefix?: string;
  /** Shards the test started; fewer result files than this is reported. */
  readonly shards?: number;
  /** Set by the state machine's failure path: the report covers what was uploaded before it. */
  readonly partial?: boolean;
  /** The failure that ended the test early (the state machine's Catch output). */
  readonly error?: unknown;
  /** The shards' tasks (RunShards' output; absent on the failure path): their billed times. */
  readonly tasks?: readonly ShardTaskRecord[];
}
