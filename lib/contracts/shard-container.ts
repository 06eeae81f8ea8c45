/**
 * The contract between the load-test state machine (definition.ts builds its ASL/JSONata), the
 * JMeter image's `loadtest/entrypoint.sh`, and `npm run loadtest` (which uploads the plan): the
 * container environment of a shard, and where a test's files live in the results bucket. Each
 * key is written once, as a template, and rendered both as a string (TypeScript callers) and as a
 * JSONata expression (the state machine), so the two cannot drift. Pure: no cdktf. The key layout
 * lives in lib/contracts/test-keys.ts, because the report step (runtime code) reads it too.
 */

/** Set by the state machine on each shard's container (ECS container overrides). */
export const SHARD_ENV_VARS = [
  'TEST_ID',
  'SCENARIO',
  'SHARD_INDEX',
  'SHARD_COUNT',
  'CLIENT_SECRET_ARN',
  'THREADS',
  'TARGET_RPM',
  'TOKENS_PER_SHARD',
  'DURATION_SEC',
  'RAMP_UP_SEC',
  'START_AT',
  'PLAN_S3_URI',
  'RESULTS_S3_URI',
  'PARAMS_S3_URI',
  // The shard's checks (shard-exit.ts: the scenario's shardChecks, else the defaults).
  'MAX_ERROR_SHARE',
  'MAX_429_SHARE',
] as const;
export type ShardEnvVar = (typeof SHARD_ENV_VARS)[number];

/**
 * Set once in the task definition (the same for every shard of the environment). The region twice:
 * the AWS CLI reads AWS_DEFAULT_REGION, the SDKs AWS_REGION; the shard never relies on the platform.
 */
export const TASK_ENV_VARS = ['GENESYS_API_BASE', 'GENESYS_LOGIN_BASE', 'LOADLAB_ENV', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const;
export type TaskEnvVar = (typeof TASK_ENV_VARS)[number];

/** Set by the image (`ENV` in loadtest/Dockerfile). */
export const IMAGE_ENV_VARS = ['WORK_DIR'] as const;

/** Read by entrypoint.sh for runs outside the image only (tests, a shard by hand); no task sets them. */
export const LOCAL_ENV_VARS = ['JMETER_BIN', 'EXTRA_JMETER_ARGS', 'JMETER_STOP_PORT'] as const;
