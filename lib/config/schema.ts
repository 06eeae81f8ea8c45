import { z } from 'zod';
import { ENV_NAME_PATTERN, ENV_NAME_RULE } from './env-name';
import { GENESYS_REGIONS } from './regions';
import { costSchema } from './cost-schema';
import { int, LOG_RETENTION_DAYS, pipelineSchema, runnersSchema } from './workload-schema';
import { endpointLimit, limitOverrides } from './limits-schema';
import { metadataTopics } from '../contracts/topics';
import { checkThresholds, scenarioThresholds } from './thresholds-schema';
import { archiveSchema } from './archive-schema';

/**
 * The environment file format. Everything after `loadEnvironment` works on these typed,
 * validated values. Units are in the field names; every optional field documents its default.
 */

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
  message: 'must be a UUID such as 3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b',
});
export const awsAccountId = z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' });
export { LOG_RETENTION_DAYS };
export const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: 'must be an AWS region such as us-east-1' });

/** A Genesys notification topic, with `{id}` placeholders or concrete ids. */
const topic = z.string().regex(/^v2(\.[A-Za-z0-9_{}-]+)+$/, {
  message: 'must be a Genesys notification topic such as v2.detail.events.conversation.{id}.customer.end',
});

export const DEFAULT_TOPICS = [
  'v2.detail.events.conversation.{id}.customer.end',
  'v2.detail.events.conversation.{id}.acw',
  'v2.detail.events.conversation.{id}.user.end',
  'v2.analytics.conversations.details.jobs.availability',
];

const endpointRef = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z.string().regex(/^\/api\/v2\//, { message: 'must be a Platform API path starting with /api/v2/' }),
    /** Share of the scenario's requests that go to this endpoint. Default: equal shares. */
    weight: z.number().positive().optional(),
  })
  .strict();

const scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: 'must be lower-case letters, digits and -, at most 40 characters' }),
    description: z.string().max(300).optional(),
    endpoints: z.array(endpointRef).min(1),
    virtualUsers: int(1, 100000),
    requestsPerUserPerMinute: z.number().positive().max(6000),
    durationSec: int(10, 86400),
    /** Default: a tenth of the duration. */
    rampUpSec: int(0, 86400).optional(),
    /**
     * A deliberate capacity test: exceeding the budget is reported as a warning, not an error.
     * Default false.
     */
    expectThrottling: z.boolean().default(false),
    /** Refuse this scenario when its estimated cost per run exceeds this (USD); overrides cost.maxCostPerRun. */
    maxCostPerRun: z.number().positive().max(100000).optional(),
    /**
     * Pin the sizing instead of letting the planner choose it (e.g. `{ "shards": 1, "tokensPerShard": 1 }`
     * reproduces "every thread shares one token"). Default: the planner sizes the scenario.
     */
    fixedSizing: z
      .object({ shards: int(1, 1000), tokensPerShard: int(1, 1000) })
      .strict()
      .optional(),
    /** Pass/fail goals judged on the report's steady state (thresholds-schema.ts). Default: none. */
    thresholds: scenarioThresholds.optional(),
    /**
     * When a shard counts as failed (its exit code, docs/runners.md): shares of its requests, from 0 to 1.
     * Default: failed requests (429 aside) 0.05; 429 responses 0.05, or 1 (no check) with expectThrottling.
     */
    shardChecks: z
      .object({ maxErrorShare: z.number().min(0).max(1).optional(), max429Share: z.number().min(0).max(1).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => checkThresholds(s.thresholds, s.endpoints, ctx));

const environmentObject = z
  .object({
    /** Optional JSON-schema pointer for editors. */
    $schema: z.string().optional(),
    /** Lower-case name; stacks become `<name>-archive`, `<name>-genesys`, `<name>-runners`. */
    name: z.string().regex(ENV_NAME_PATTERN, { message: `must be ${ENV_NAME_RULE}` }),
    /** Who to ask about this environment (tag `owner`). */
    owner: z.string().min(3).max(128),
    genesys: z
      .object({
        orgId: uuid,
        /** Genesys Cloud region as the provider names it (e.g. us-east-1 = mypurecloud.com). */
        region: z.string().refine((r) => r in GENESYS_REGIONS, {
          message: `must be a Genesys Cloud region: ${Object.keys(GENESYS_REGIONS).join(', ')}`,
        }),
        /**
         * The org is a test org, whose every conversation may be exported: only then may the
         * recording retention policy have no conditions. Default false.
         */
        testOrg: z.boolean().default(false),
        /** Divisions the OAuth client roles are bound to. Default: the home division. */
        divisionIds: z.array(uuid).default([]),
        /** Token lifetimes of the OAuth clients we create (300..172800 s). */
        tokenValiditySec: z
          .object({
            runner: int(300, 172800).default(3600),
            worker: int(300, 172800).default(3600),
            /** The policy maximum no client may exceed. Default 86400. */
            max: int(300, 172800).default(86400),
          })
          .strict()
          .default({}),
        /** Most OAuth clients the planner may create for load runners. Default 50. */
        maxRunnerClients: int(1, 500).default(50),
        eventBridge: z
          .object({
            /** Partner event source suffix; default `loadlab-<env name>`. */
            eventSourceSuffix: z
              .string()
              .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 characters of letters, digits, ".", "-" or "_"' })
              .optional(),
            topics: z.array(topic).min(1).default(DEFAULT_TOPICS),
          })
          .strict()
          .default({}),
        recordingExport: z
          .object({
            enabled: z.boolean().default(true),
            /** [UNCONFIRMED] integration type id; check with GET /api/v2/integrations/types. */
            integrationType: z.string().min(1).default('aws-s3-recording-bulk-actions-integration'),
            /** [UNCONFIRMED] credential type, by analogy with the Lambda data-actions integration. */
            credentialType: z.string().min(1).default('amazonWebServicesARN'),
            /** Create a media retention policy that exports recordings automatically. Default true. */
            retentionPolicy: z.boolean().default(true),
            /** Queues whose recordings the policy exports. With userIds and wrapUpCodeIds: one is required unless genesys.testOrg. */
            queueIds: z.array(uuid).default([]),
            /** Users (agents) whose recordings the policy exports. Default none. */
            userIds: z.array(uuid).default([]),
            /** Wrap-up codes whose conversations' recordings the policy exports. Default none. */
            wrapUpCodeIds: z.array(uuid).default([]),
            /** Export role ARN when the archive is not ours (overrides the archive stack's role); set with bucketName. */
            exportRoleArn: z
              .string()
              .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
                message: 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/name',
              })
              .optional(),
            /** Bucket to export into when the archive is not ours; set with exportRoleArn. */
            bucketName: z
              .string()
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name' })
              .optional(),
            /** [UNCONFIRMED] credential field that holds the export role ARN (`ARN`, as for amazonWebServicesARN). */
            credentialField: z
              .string()
              .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'must be a field name of letters, digits or _' })
              .default('ARN'),
            /** [UNCONFIRMED] key under the integration's config.credentials that names the credential. */
            credentialsKey: z
              .string()
              .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'must be a key of letters, digits or _' })
              .default('AmazonWebServicesARN'),
            /** [UNCONFIRMED] integration config property that holds the bucket name. */
            bucketNameProperty: z
              .string()
              .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'must be a property name of letters, digits or _' })
              .default('bucketName'),
          })
          .strict()
          .default({}),
        /** Override any catalogue limit (`npm run limits:fetch` writes these). */
        limits: limitOverrides.default({}),
        /** Per-endpoint limits the catalogue does not know (see docs/throttling.md). Default none. */
        endpointLimits: z.array(endpointLimit).default([]),
      })
      .strict(),
    aws: z
      .object({
        accountId: awsAccountId,
        region: awsRegion,
        /** Existing network for the runners; default: a minimal VPC with public subnets, no NAT gateway. */
        network: z
          .object({ vpcId: z.string().regex(/^vpc-[0-9a-f]+$/), subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(1) })
          .strict()
          .optional(),
        /**
         * Principals that run Terraform on this environment besides the CI roles (loadlab-ci-deploy,
         * -main-plan, -teardown): the OAuth client secrets' policies deny reading them to anyone
         * else, and a plan or deploy refreshes them. Add the role you run `cdktf deploy` as by hand.
         */
        terraformPrincipalArns: z
          .array(
            z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
              message: 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/name',
            }),
          )
          .default([]),
      })
      .strict(),
    /** Where Terraform state lives. The example uses `local` so synth works offline. */
    backend: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('local') }).strict(),
        z
          .object({
            type: z.literal('s3'),
            bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name' }),
            region: awsRegion,
            /** State keys are `<keyPrefix>/<stack>.tfstate`. Default `genesys-loadlab`. */
            keyPrefix: z
              .string()
              .regex(/^[A-Za-z0-9/_.-]+$/)
              .default('genesys-loadlab'),
            /** KMS key for state (state holds OAuth client secrets). Default: the bucket's key. */
            kmsKeyId: z.string().optional(),
          })
          .strict(),
      ])
      .default({ type: 'local' }),
    archive: archiveSchema,
    loadProfile: z
      .object({
        /** Minimum shards (Fargate tasks) per scenario; the planner may add more. */
        shards: int(1, 1000).default(1),
        /** Safety margin kept free under every limit, in percent. Default 20. */
        headroomPercent: z.number().min(0).max(90).default(20),
        /** Most JMeter threads one shard runs. Default: the measured threads per vCPU of the task size (lib/ratelimits/capacity.ts). */
        maxThreadsPerShard: int(1, 5000).optional(),
        scenarios: z.array(scenario).min(1),
      })
      .strict(),
    pipeline: pipelineSchema,
    runners: runnersSchema,
    cost: costSchema,
    /** Ephemeral environments (`pr-*`) expire; the janitor destroys them after this. */
    ephemeral: z
      .object({ ttlHours: int(1, 24 * 30).default(72) })
      .strict()
      .default({}),
  })
  .strict();

type ParsedEnvironment = z.output<typeof environmentObject>;

/** The genesys section's cross-field rules: token lifetimes, the recording export, endpoint limits, topics. */
function genesysRules(env: ParsedEnvironment, ctx: z.RefinementCtx): void {
  const { tokenValiditySec } = env.genesys;
  for (const who of ['runner', 'worker'] as const) {
    if (tokenValiditySec[who] > tokenValiditySec.max) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['genesys', 'tokenValiditySec', who],
        message: `must be <= genesys.tokenValiditySec.max (${tokenValiditySec.max}); lower it or raise the maximum`,
      });
    }
  }
  const exportTarget = env.genesys.recordingExport;
  const scoped = exportTarget.queueIds.length + exportTarget.userIds.length + exportTarget.wrapUpCodeIds.length > 0;
  if (exportTarget.enabled && exportTarget.retentionPolicy && !scoped && !env.genesys.testOrg) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['genesys', 'recordingExport', 'queueIds'],
      message:
        'is empty, as are userIds and wrapUpCodeIds, so the retention policy would export every conversation of the org; name the test queues (or users, or wrap-up codes), set genesys.testOrg to true if the whole org is a test org, or set retentionPolicy to false',
    });
  }
  if ((exportTarget.exportRoleArn === undefined) !== (exportTarget.bucketName === undefined)) {
    const missing = exportTarget.exportRoleArn === undefined ? 'exportRoleArn' : 'bucketName';
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['genesys', 'recordingExport', missing],
      message:
        "is required with the other one: set both exportRoleArn and bucketName to export into your own bucket, or neither to use the archive's",
    });
  }
  const limitsSeen = new Set<string>();
  env.genesys.endpointLimits.forEach((l, i) => {
    const key = `${l.method} ${l.path} ${l.scope}`;
    if (limitsSeen.has(key)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['genesys', 'endpointLimits', i],
        message: `declares ${l.method} ${l.path} with scope ${l.scope} a second time; keep one entry`,
      });
    }
    limitsSeen.add(key);
    if ((l.namespace === undefined) !== (l.apiKey === undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['genesys', 'endpointLimits', i, l.namespace === undefined ? 'namespace' : 'apiKey'],
        message: 'is required with the other one: set both namespace and apiKey (the limits API key), or neither',
      });
    }
  });
  const topicsSeen = new Set<string>();
  env.genesys.eventBridge.topics.forEach((t, i) => {
    if (topicsSeen.has(t)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['genesys', 'eventBridge', 'topics', i],
        message: 'is listed twice; remove the duplicate',
      });
    }
    topicsSeen.add(t);
  });
  const topics = env.genesys.eventBridge.topics;
  // Only for a non-empty list of well-formed topics: an empty list or a malformed topic has its own message.
  if (topics.length > 0 && topics.every((t) => topic.safeParse(t).success) && metadataTopics(topics).length === 0) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['genesys', 'eventBridge', 'topics'],
      message:
        'has no conversation-end topic, so the metadata worker would never run; add e.g. "v2.detail.events.conversation.{id}.customer.end"',
    });
  }
}

/** Scenario names are unique; a ramp-up is shorter than its run. */
function scenarioRules(env: ParsedEnvironment, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  env.loadProfile.scenarios.forEach((s, i) => {
    if (seen.has(s.name)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['loadProfile', 'scenarios', i, 'name'],
        message: 'must be unique among the scenarios; rename one of them',
      });
    }
    seen.add(s.name);
    if (s.rampUpSec !== undefined && s.rampUpSec >= s.durationSec) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['loadProfile', 'scenarios', i, 'rampUpSec'],
        message: `must be shorter than durationSec (${s.durationSec})`,
      });
    }
  });
}

/** The archive's lifecycle fits S3's rules and Object Lock; it is shared only from another environment. */
function archiveRules(env: ParsedEnvironment, ctx: z.RefinementCtx): void {
  if (env.archive.transitionToColdDays <= env.archive.transitionToInfrequentAccessDays) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['archive', 'transitionToColdDays'],
      message: `must be greater than archive.transitionToInfrequentAccessDays (${env.archive.transitionToInfrequentAccessDays})`,
    });
  } else if (env.archive.transitionToColdDays < env.archive.transitionToInfrequentAccessDays + 30) {
    // S3 rejects a lifecycle rule whose cold-class transition comes less than 30 days after the Standard-IA one.
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['archive', 'transitionToColdDays'],
      message: `must be at least archive.transitionToInfrequentAccessDays + 30 (${env.archive.transitionToInfrequentAccessDays + 30}): S3 keeps objects 30 days in Standard-IA first`,
    });
  }
  const { objectLock, noncurrentVersionExpirationDays: noncurrent } = env.archive;
  if (objectLock.enabled && noncurrent !== undefined && noncurrent < objectLock.retentionDays) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['archive', 'noncurrentVersionExpirationDays'],
      message: `must be at least archive.objectLock.retentionDays (${objectLock.retentionDays}): S3 keeps locked versions anyway; raise it or remove it to keep versions for ever`,
    });
  }
  if (env.archive.shareFrom === env.name) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['archive', 'shareFrom'],
      message: "must name another environment; remove it to create this environment's own archive",
    });
  }
}

/** The environment file; cross-field rules each name the field to change. */
export const environmentSchema = environmentObject.superRefine((env, ctx) => {
  genesysRules(env, ctx);
  scenarioRules(env, ctx);
  archiveRules(env, ctx);
});

/** The environment file as written. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** The parsed file, with defaults applied. */
export type EnvironmentFile = z.output<typeof environmentSchema>;
export type ScenarioConfig = EnvironmentFile['loadProfile']['scenarios'][number];
export type EndpointLimitConfig = EnvironmentFile['genesys']['endpointLimits'][number];
