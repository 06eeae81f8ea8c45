/**
 * The Lambda environments, declared once: the constructs set them with `lambdaEnvironment` and the
 * functions read them with `readLambdaEnv` / `lambdaEnvValue`, so a name cannot be set on one side
 * and read under another. Pure data and functions: no cdktf, no AWS SDK.
 */

/** A variable's type: free text, or a number checked when read. */
export type EnvKind = 'text' | 'positive number' | 'whole number';

export interface EnvVarSpec {
  readonly kind: EnvKind;
  /** What the function does with it. */
  readonly description: string;
  /**
   * Value when the variable is unset or empty (local runs and tests leave it out). The construct
   * sets it anyway, so the deployed function never relies on the default.
   */
  readonly fallback?: number;
  /** The function works without it (e.g. no archive key: the bucket's default encryption applies). */
  readonly optional?: true;
}

/** The variables of one function, and who sets them (for the error message). */
export interface LambdaEnvContract<V extends Record<string, EnvVarSpec> = Record<string, EnvVarSpec>> {
  readonly setBy: string;
  readonly vars: V;
}

const text = (description: string) => ({ kind: 'text', description }) as const;

const SQS_WORKER_VARS = {
  GENESYS_API_BASE: text('Platform API base URL of the region (or the simulator)'),
  GENESYS_LOGIN_BASE: text('OAuth login base URL of the region'),
  CLIENT_SECRET_ARN: text("Secrets Manager ARN of the worker's OAuth client {clientId, clientSecret}"),
  RATE_PER_MINUTE: { kind: 'positive number', description: "Requests per minute one invocation's token bucket allows" },
  ARCHIVE_KMS_KEY_ARN: { kind: 'text', optional: true, description: 'Archive key the worker encrypts its uploads with' },
  QUEUE_URL: text('The queue the worker consumes and re-enqueues to'),
  DEAD_LETTER_QUEUE_URL: text('Where a message that can never succeed goes, with its reason'),
  MAX_RECEIVE_COUNT: { kind: 'whole number', fallback: 5, description: "The queue's redrive maxReceiveCount" },
} as const;

/** What both SQS workers read (functions/shared/handler.ts). */
export const SQS_WORKER_ENV = { setBy: 'the EventPipeline construct', vars: SQS_WORKER_VARS } as const satisfies LambdaEnvContract;

/** How long the metadata worker waits for recordings that are not available yet. */
export const AVAILABILITY_DEFAULTS = { maxChecks: 8, firstDelaySec: 30 } as const;

export const METADATA_WORKER_ENV = {
  setBy: 'the EventPipeline construct',
  vars: {
    ...SQS_WORKER_VARS,
    RESULTS_BUCKET: text('Results bucket; recording metadata goes below metadata/'),
    AVAILABILITY_MAX_CHECKS: {
      kind: 'whole number',
      fallback: AVAILABILITY_DEFAULTS.maxChecks,
      description: 'Times a conversation is re-checked while its recordings are not available',
    },
    AVAILABILITY_FIRST_DELAY_SEC: {
      kind: 'whole number',
      fallback: AVAILABILITY_DEFAULTS.firstDelaySec,
      description: 'Delay before the first re-check, doubled each time',
    },
  },
} as const satisfies LambdaEnvContract;

export const REPORT_JOBS_ENV = {
  setBy: 'the EventPipeline construct',
  vars: { ...SQS_WORKER_VARS, ANALYTICS_BUCKET: text('Analytics bucket; analytics job output goes below analytics/') },
} as const satisfies LambdaEnvContract;

/** The report step's input names the buckets; the environment's cost figures are fixed at deploy. */
export const REPORT_STEP_ENV = {
  setBy: 'the LoadTestStateMachine construct',
  vars: {
    // Optional to the function: without it the report says the cost is unknown rather than failing.
    COST_PROFILE: {
      kind: 'text',
      optional: true,
      description: "The environment's cost profile as JSON (lib/cost/profile.ts): region, price overrides, task size, traffic assumptions",
    },
  },
} as const satisfies LambdaEnvContract;

/** Set by the Lambda service itself (reserved: no construct may set them). */
export const LAMBDA_RUNTIME_ENV = {
  setBy: 'the Lambda runtime',
  vars: {
    AWS_REGION: { kind: 'text', optional: true, description: 'Region the function runs in' },
    AWS_LAMBDA_FUNCTION_NAME: { kind: 'text', optional: true, description: "The function's name" },
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: {
      kind: 'positive number',
      optional: true,
      description: "The function's memory (MiB): its GB-seconds",
    },
  },
} as const satisfies LambdaEnvContract;

/** Every function the constructs deploy, by the suffix of its function name. */
export const LAMBDA_CONTRACTS = {
  'metadata-worker': METADATA_WORKER_ENV,
  'report-jobs': REPORT_JOBS_ENV,
  'report-step': REPORT_STEP_ENV,
} as const;

type ValueOf<S extends EnvVarSpec> = S['kind'] extends 'text' ? string : number;

/** What a construct must set: every declared variable (optional and defaulted ones too). */
export type LambdaEnvInput<C extends LambdaEnvContract> = { readonly [K in keyof C['vars']]: ValueOf<C['vars'][K]> };

/** What a function reads: optional variables may be undefined, the rest are checked values. */
export type LambdaEnvValues<C extends LambdaEnvContract> = {
  readonly [K in keyof C['vars']]: C['vars'][K] extends { optional: true } ? ValueOf<C['vars'][K]> | undefined : ValueOf<C['vars'][K]>;
};

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The construct side: the variables as Lambda takes them (strings), exactly the declared names. */
export function lambdaEnvironment<C extends LambdaEnvContract>(contract: C, values: LambdaEnvInput<C>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(contract.vars)) {
    const v = (values as Record<string, string | number | undefined>)[name];
    if (v === undefined) throw new Error(`${contract.setBy} must set ${name}`);
    out[name] = String(v);
  }
  return out;
}

/** The function side, one variable: checked against its declaration; the error names it and who sets it. */
export function lambdaEnvValue<C extends LambdaEnvContract, K extends keyof C['vars'] & string>(
  contract: C,
  name: K,
  env: EnvSource,
): LambdaEnvValues<C>[K] {
  const spec: EnvVarSpec = contract.vars[name];
  const raw = env[name]?.trim();
  if (!raw) {
    if (spec.fallback !== undefined) return spec.fallback as LambdaEnvValues<C>[K];
    if (spec.optional) return undefined as LambdaEnvValues<C>[K];
    throw new Error(`environment variable ${name} is not set (${contract.setBy} sets it)`);
  }
  if (spec.kind === 'text') return raw as LambdaEnvValues<C>[K];
  const n = Number(raw);
  if (spec.kind === 'whole number' && !(Number.isInteger(n) && n >= 0)) {
    throw new Error(`environment variable ${name} must be a whole number (got ${raw})`);
  }
  if (spec.kind === 'positive number' && !(Number.isFinite(n) && n > 0)) {
    throw new Error(`environment variable ${name} must be a positive number (got ${raw})`);
  }
  return n as LambdaEnvValues<C>[K];
}

/** The function side, all variables at once (the first bad one throws). */
export function readLambdaEnv<C extends LambdaEnvContract>(contract: C, env: EnvSource): LambdaEnvValues<C> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(contract.vars)) out[name] = lambdaEnvValue(contract, name as keyof C['vars'] & string, env);
  return out as LambdaEnvValues<C>;
}
