import * as path from 'node:path';
import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ConfigError, type Environment } from '../config';
import type { BudgetPlan } from '../ratelimits';
import { ARCHIVE_PREFIXES, type ArchiveRefs } from '../archive/refs';
import type { GenesysRefs } from '../genesys/refs';
import type { IGrantable } from '../iam/policy';
import { grantArchiveDelete, grantArchiveRead, grantArchiveWrite } from '../archive/grants';
import { accountRootArn, toResourcePolicyJson } from '../archive/resource-policy';
import { awsPartitionOf } from '../config/regions';
import { NodeFunction } from '../lambda/node-function';
import { OAuthClientSecret } from '../secrets/oauth-client-secret';
import { METRIC, METRICS_DIMENSION, METRICS_NAMESPACE } from '../contracts/metrics';
import {
  AVAILABILITY_DEFAULTS,
  lambdaEnvironment,
  METADATA_WORKER_ENV,
  REPORT_JOBS_ENV,
  type LambdaEnvInput,
  type SQS_WORKER_ENV,
} from '../contracts/lambda-env';
import { metadataTopics, reportTopics } from '../contracts/topics';
import { WorkQueue } from './work-queue';

/** The report-jobs worker polls jobs in-process before re-enqueuing; five minutes covers most jobs in one go. */
export const REPORT_WORKER_TIMEOUT_SEC = 300;
/** AWS's guidance for Lambda SQS sources: visibility timeout >= 6 x the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** The SQS event source mapping accepts a maximum concurrency of 2 or more. */
const MIN_ESM_CONCURRENCY = 2;

export interface EventPipelineProps {
  readonly env: Environment;
  readonly plan: BudgetPlan;
  /** From the genesys stack: the partner event source and the two workers' OAuth clients. */
  readonly genesys: Pick<GenesysRefs, 'partnerEventSourceName' | 'metadataWorkerClient' | 'reportWorkerClient'>;
  /** Results bucket (`metadata/`) and reports bucket (`analytics/`), and the archive key. */
  readonly archive: ArchiveRefs;
  /** Alarm actions (e.g. an SNS topic ARN). Default: none. */
  readonly alarmActions?: readonly string[];
}

/** A worker as other constructs see it: its function, queue and how to feed it. */
export interface PipelineWorker {
  readonly fn: NodeFunction;
  readonly queue: WorkQueue;
  readonly secret: OAuthClientSecret;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  readonly throttledAlarm: CloudwatchMetricAlarm;
  /** Requests per minute one invocation's token bucket allows. */
  readonly ratePerInvocation: number;
  readonly concurrency: number;
}

/**
 * Asynchronous retrieval, off the load test's hot path:
 *
 *   Genesys Cloud -> partner event bus -> rule (conversation-end topics) -> SQS (+DLQ) -> metadata worker -> results/metadata/
 *                                      -> rule (analytics availability) -> SQS (+DLQ) -> report-jobs worker -> reports/analytics/
 *   load-test state machine -> { testId, interval } ----------------------^
 *
 * Each worker is a Lambda with reserved concurrency and an event source mapping capped at the
 * budget planner's concurrency; each invocation paces itself at the planner's per-invocation rate,
 * so the fleet stays within its OAuth client's share. No schedule polls anything.
 */
export class EventPipeline extends Construct {
  readonly bus: CloudwatchEventBus;
  /** Encrypts the queues and the workers' secrets; its policy lets EventBridge deliver to the queues. */
  readonly key: KmsKey;
  readonly metadataRule?: CloudwatchEventRule;
  readonly availabilityRule?: CloudwatchEventRule;
  readonly metadataWorker: PipelineWorker;
  readonly reportWorker: PipelineWorker;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { env, plan, archive } = props;
    const cfg = env.config.pipeline;
    const prefix = env.resourcePrefix;
    const region = env.config.aws.region;
    const accountId = env.config.aws.accountId;
    const partition = awsPartitionOf(region);

    const metaTopics = metadataTopics(env.config.genesys.eventBridge.topics);
    const availTopics = reportTopics(env.config.genesys.eventBridge.topics);
    if (metaTopics.length === 0) {
      throw new ConfigError([
        `${env.sourceFile}: genesys.eventBridge.topics has no conversation-end topic, so the metadata worker would never run; add e.g. "v2.detail.events.conversation.{id}.customer.end"`,
      ]);
    }

    // Metadata worker sizing: one batch must fit comfortably in one invocation at its paced rate.
    const metaRate = plan.metadataWorker.requestsPerMinutePerInvocation;
    const batchSeconds = (cfg.batchSize * cfg.callsPerEvent * 60) / metaRate;
    if (batchSeconds > cfg.workerTimeoutSec * 0.8) {
      throw new ConfigError([
        `${env.sourceFile}: pipeline.batchSize ${cfg.batchSize} x callsPerEvent ${cfg.callsPerEvent} at ${round(metaRate)} requests/min per invocation takes ${round(batchSeconds)} s, over 80 % of pipeline.workerTimeoutSec ${cfg.workerTimeoutSec}; lower pipeline.batchSize to ${Math.max(1, Math.floor((cfg.workerTimeoutSec * 0.8 * metaRate) / 60 / cfg.callsPerEvent))} or raise pipeline.workerTimeoutSec`,
      ]);
    }

    this.key = new KmsKey(this, 'key', {
      description: `${prefix}: event pipeline queues and worker secrets`,
      enableKeyRotation: true,
      // Ephemeral like the runners stack; the archive keeps its own key.
      deletionWindowInDays: 7,
      policy: toResourcePolicyJson([
        // In a key policy, Resource "*" means this key. The root statement lets IAM policies grant its use.
        {
          sid: 'AccountRootAdministersKey',
          principal: { AWS: [accountRootArn(partition, accountId)] },
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          // EventBridge encrypts what it delivers to SSE-KMS queues (the rule targets and their DLQ).
          sid: 'EventBridgeDeliversToQueues',
          principal: { Service: ['events.amazonaws.com'] },
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
        {
          // CloudWatch Logs encrypts this environment's log groups (workers, runners, state machine)
          // with the key, and only those: the log group's ARN is the encryption context.
          sid: 'CloudWatchLogsEncryptsEnvironmentLogs',
          principal: { Service: [`logs.${region}.amazonaws.com`] },
          actions: [
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
            'kms:GenerateDataKey',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:DescribeKey',
          ],
          resources: ['*'],
          conditions: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': environmentLogGroupArns(partition, region, accountId, env.name, prefix) },
          },
        },
      ]),
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${prefix}-pipeline`, targetKeyId: this.key.keyId });

    // The partner event bus: its name must equal the partner event source Genesys Cloud created.
    this.bus = new CloudwatchEventBus(this, 'bus', {
      name: props.genesys.partnerEventSourceName,
      eventSourceName: props.genesys.partnerEventSourceName,
      description: `${prefix}: Genesys Cloud events (EventBridge integration)`,
    });

    this.metadataWorker = this.addWorker('metadata', {
      env,
      archive,
      functionName: `${prefix}-metadata-worker`,
      description: 'Fetches recording metadata of ended conversations under the rate budget and archives it',
      entry: path.join(__dirname, '..', '..', 'functions', 'metadata-worker', 'index.ts'),
      timeoutSec: cfg.workerTimeoutSec,
      concurrency: plan.metadataWorker.concurrency,
      fleetRatePerMinute: plan.metadataWorker.requestsPerMinute,
      client: props.genesys.metadataWorkerClient,
      batchSize: cfg.batchSize,
      oldestMessageAlarmSec: 900,
      retrieval: 'metadata',
      alarmActions: props.alarmActions,
      environment: (shared) =>
        lambdaEnvironment(METADATA_WORKER_ENV, {
          ...shared,
          RESULTS_BUCKET: archive.results.name,
          AVAILABILITY_MAX_CHECKS: AVAILABILITY_DEFAULTS.maxChecks,
          AVAILABILITY_FIRST_DELAY_SEC: AVAILABILITY_DEFAULTS.firstDelaySec,
        }),
      grantArchive: (g) => grantArchiveWrite(g, archive, 'results', ARCHIVE_PREFIXES.metadata),
    });
    this.reportWorker = this.addWorker('report', {
      env,
      archive,
      functionName: `${prefix}-report-jobs`,
      description: 'Exports load-test conversations through the async analytics conversation details jobs API',
      entry: path.join(__dirname, '..', '..', 'functions', 'report-jobs', 'index.ts'),
      timeoutSec: REPORT_WORKER_TIMEOUT_SEC,
      concurrency: plan.reportWorker.concurrency,
      fleetRatePerMinute: plan.reportWorker.requestsPerMinute,
      client: props.genesys.reportWorkerClient,
      // Each message may poll a job for minutes: one at a time per invocation.
      batchSize: 1,
      oldestMessageAlarmSec: 3600,
      retrieval: 'analytics',
      alarmActions: props.alarmActions,
      environment: (shared) => lambdaEnvironment(REPORT_JOBS_ENV, { ...shared, REPORTS_BUCKET: archive.reports.name }),
      grantArchive: (g) => {
        grantArchiveRead(g, archive, 'reports', ARCHIVE_PREFIXES.analytics);
        grantArchiveWrite(g, archive, 'reports', ARCHIVE_PREFIXES.analytics);
        // Only the worker's own bookkeeping is ever deleted: waiting markers and job records.
        grantArchiveDelete(g, archive, 'reports', {
          prefix: ARCHIVE_PREFIXES.analytics,
          keys: ['pending/*', '*/job.json'],
          name: 'ReportBookkeeping',
        });
      },
    });

    this.metadataRule = this.addRule('metadata-rule', `${prefix}-conversation-end`, props, metaTopics, this.metadataWorker.queue);
    if (availTopics.length > 0) {
      this.availabilityRule = this.addRule(
        'availability-rule',
        `${prefix}-analytics-availability`,
        props,
        availTopics,
        this.reportWorker.queue,
      );
    }
  }

  /**
   * The queue the load-test state machine sends `{ testId, interval }` to at the end of a test
   * (`queueUrl`, `queueArn`, `grantSend(role)`).
   */
  get reportJobsQueue(): WorkQueue {
    return this.reportWorker.queue;
  }

  /** Lets a role (the state machine's) send end-of-test windows to the report-jobs queue. */
  grantSendReportJob(grantee: IGrantable): void {
    this.reportWorker.queue.grantSend(grantee);
  }

  private addRule(id: string, name: string, props: EventPipelineProps, topics: string[], queue: WorkQueue): CloudwatchEventRule {
    const rule = new CloudwatchEventRule(this, id, {
      name,
      description: `Genesys Cloud topics ${topics.join(', ')} to ${queue.node.id}`,
      eventBusName: this.bus.name,
      eventPattern: JSON.stringify({ source: [props.genesys.partnerEventSourceName], 'detail-type': topics }),
    });
    new CloudwatchEventTarget(this, `${id}-target`, {
      rule: rule.name,
      eventBusName: this.bus.name,
      arn: queue.queueArn,
      // Undeliverable events (e.g. a key problem) are kept, not dropped.
      deadLetterConfig: { arn: queue.deadLetterQueueArn },
      retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
    });
    queue.allowEventRule(`Allow${id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`, rule.arn);
    return rule;
  }

  private addWorker(
    id: string,
    o: {
      env: Environment;
      archive: ArchiveRefs;
      functionName: string;
      description: string;
      entry: string;
      timeoutSec: number;
      concurrency: number;
      fleetRatePerMinute: number;
      client: GenesysRefs['metadataWorkerClient'];
      batchSize: number;
      oldestMessageAlarmSec: number;
      retrieval: 'metadata' | 'analytics';
      alarmActions?: readonly string[];
      /** The worker's variables (lib/contracts/lambda-env.ts), given those both workers share. */
      environment: (shared: LambdaEnvInput<typeof SQS_WORKER_ENV>) => Record<string, string>;
      grantArchive: (g: IGrantable) => void;
    },
  ): PipelineWorker {
    const cfg = o.env.config.pipeline;
    // The mapping needs >= 2; reserved concurrency matches so polled messages are never throttled back.
    const concurrency = Math.max(MIN_ESM_CONCURRENCY, o.concurrency);
    // The fleet's allowance split evenly, so concurrency x rate never exceeds the plan.
    const ratePerInvocation = o.fleetRatePerMinute / concurrency;
    const batchingWindowSec = o.batchSize > 10 ? 1 : 0;
    const queue = new WorkQueue(this, `${id}-queue`, {
      queueName: `${o.functionName}`,
      kmsKeyArn: this.key.arn,
      visibilityTimeoutSec: VISIBILITY_TIMEOUT_FACTOR * o.timeoutSec + batchingWindowSec,
      maxReceiveCount: cfg.maxReceiveCount,
      oldestMessageAlarmSec: o.oldestMessageAlarmSec,
      alarmActions: o.alarmActions,
    });
    const secret = new OAuthClientSecret(this, `${id}-client`, {
      secretName: `loadlab/${o.env.name}/${o.functionName.slice(o.env.resourcePrefix.length + 1)}`,
      client: o.client,
      kmsKeyArn: this.key.arn,
      region: o.env.config.aws.region,
    });
    const fn = new NodeFunction(this, `${id}-worker`, {
      functionName: o.functionName,
      description: o.description,
      entry: o.entry,
      timeoutSec: o.timeoutSec,
      reservedConcurrency: concurrency,
      logRetentionDays: cfg.logRetentionDays,
      // The environment holds no secrets (those are in Secrets Manager), but it names them: encrypt it with the pipeline key.
      kmsKeyArn: this.key.arn,
      logsKmsKeyArn: this.key.arn,
      tags: { 'loadlab-retrieval': o.retrieval },
      environment: o.environment({
        GENESYS_API_BASE: o.env.genesys.apiBase,
        GENESYS_LOGIN_BASE: o.env.genesys.loginBase,
        CLIENT_SECRET_ARN: secret.arn,
        // Rounded down: the fleet must never exceed the plan.
        RATE_PER_MINUTE: Math.floor(ratePerInvocation * 100) / 100,
        ARCHIVE_KMS_KEY_ARN: o.archive.keyArn,
        QUEUE_URL: queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: queue.deadLetterQueueUrl,
        MAX_RECEIVE_COUNT: cfg.maxReceiveCount,
      }),
    });
    secret.grantRead(fn);
    queue.grantConsume(fn);
    queue.grantSend(fn);
    queue.grantSendDeadLetter(fn);
    o.grantArchive(fn);
    const eventSourceMapping = new LambdaEventSourceMapping(this, `${id}-source`, {
      eventSourceArn: queue.queueArn,
      functionName: fn.fn.arn,
      batchSize: o.batchSize,
      maximumBatchingWindowInSeconds: batchingWindowSec > 0 ? batchingWindowSec : undefined,
      scalingConfig: { maximumConcurrency: concurrency },
      functionResponseTypes: ['ReportBatchItemFailures'],
      // The function's role must allow polling before the mapping is enabled.
      dependsOn: [fn.role.node.findChild('policy') as IamRolePolicy],
    });
    const throttledAlarm = new CloudwatchMetricAlarm(this, `${id}-throttled`, {
      alarmName: `${o.functionName}-429`,
      alarmDescription: `${o.functionName} got HTTP 429 from Genesys Cloud although it paces under its budget: another caller shares its OAuth client, or the org's limits are lower than planned (check limits:fetch).`,
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.throttled,
      dimensions: { [METRICS_DIMENSION]: o.functionName },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: o.alarmActions ? [...o.alarmActions] : undefined,
      okActions: o.alarmActions ? [...o.alarmActions] : undefined,
    });
    return { fn, queue, secret, eventSourceMapping, throttledAlarm, ratePerInvocation, concurrency };
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * ARN patterns of every log group of an environment's runners stack: its Lambda functions
 * (`/aws/lambda/loadlab-<env>-…`), the JMeter shards (`/loadlab/<env>/…`) and the state machine
 * (`/aws/vendedlogs/states/loadlab-<env>-…`); see NodeFunction and lib/runners/naming.ts.
 */
export function environmentLogGroupArns(partition: string, region: string, accountId: string, envName: string, prefix: string): string[] {
  const base = `arn:${partition}:logs:${region}:${accountId}:log-group:`;
  return [`${base}/aws/lambda/${prefix}-*`, `${base}/loadlab/${envName}/*`, `${base}/aws/vendedlogs/states/${prefix}-*`];
}
