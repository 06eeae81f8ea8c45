import * as path from 'node:path';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { WorkerPlan } from '../ratelimits';
import { ARCHIVE_PREFIXES, type ArchiveRefs } from '../archive/refs';
import type { GenesysRefs } from '../genesys-tenant/refs';
import type { IGrantable } from '../iam/policy';
import { grantArchiveDelete, grantArchiveRead, grantArchiveWrite } from '../archive/grants';
import { accountRootArn, toResourcePolicyJson } from '../archive/resource-policy';
import { awsPartitionOf } from '../config/regions';
import { NodeFunction } from '../lambda/node-function';
import { ClientSecretLookup } from '../secrets/client-secret-lookup';
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
export interface EventPipelineProps {
  /** Environment name: the workers' secrets are `loadlab/<envName>/<worker>`. */
  readonly envName: string;
  /** `loadlab-<env>`: prefix of every name here (functions, queues, rules, the key alias). */
  readonly resourcePrefix: string;
  readonly region: string;
  readonly accountId: string;
  /** Genesys Cloud Platform API base URL the workers call (`https://api.<region domain>`). */
  readonly genesysApiBase: string;
  /** Genesys Cloud login base URL the workers get tokens from. */
  readonly genesysLoginBase: string;
  /**
   * Topics of the EventBridge integration. The conversation-end ones feed the metadata worker
   * (config validation guarantees at least one); when the analytics availability topic is among
   * them, a second rule feeds the report-jobs worker, else only the state machine does.
   */
  readonly topics: readonly string[];
  /**
   * The planner's metadata worker: reserved concurrency, the event source mapping's maximum
   * concurrency and each invocation's RATE_PER_MINUTE, set exactly as planned.
   */
  readonly metadataWorker: WorkerPlan;
  /** The planner's report-jobs worker, likewise. */
  readonly reportWorker: WorkerPlan;
  /** Messages per metadata-worker invocation (the report worker takes one at a time). */
  readonly batchSize: number;
  /** The metadata worker's timeout; queues keep messages invisible for 6x the function timeout. */
  readonly workerTimeoutSec: number;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Retention of the workers' log groups. */
  readonly logRetentionDays: number;
  /** From the genesys stack: the partner event source and the two workers' OAuth clients. */
  readonly genesys: Pick<GenesysRefs, 'partnerEventSourceName' | 'metadataWorkerClient' | 'reportWorkerClient'>;
  /** Results bucket (`metadata/`) and analytics bucket (`analytics/`), and the archive key. */
  readonly archive: ArchiveRefs;
  /** Alarm actions (e.g. an SNS topic ARN). Default: none. */
  readonly alarmActions?: readonly string[];
}

/** A worker as other constructs see it: its function, queue and how to feed it. */
export interface PipelineWorker {
  readonly fn: NodeFunction;
  readonly queue: WorkQueue;
  readonly secret: ClientSecretLookup;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  readonly throttledAlarm: CloudwatchMetricAlarm;
  /** The plan this worker was built from (concurrency and RATE_PER_MINUTE come from it unchanged). */
  readonly plan: WorkerPlan;
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
  /** The rules EventBridge delivers for: the only sources the key's EventBridge grant accepts. */
  private readonly ruleArns: string[] = [];

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const prefix = props.resourcePrefix;
    this.key = this.createKey(props);
    new KmsAlias(this, 'key-alias', { name: `alias/${prefix}-pipeline`, targetKeyId: this.key.keyId });

    // The partner event bus: its name must equal the partner event source Genesys Cloud created.
    this.bus = new CloudwatchEventBus(this, 'bus', {
      name: props.genesys.partnerEventSourceName,
      eventSourceName: props.genesys.partnerEventSourceName,
      description: `${prefix}: Genesys Cloud events (EventBridge integration)`,
    });
    this.metadataWorker = this.addMetadataWorker(props);
    this.reportWorker = this.addReportWorker(props);

    const metaTopics = metadataTopics(props.topics);
    const availTopics = reportTopics(props.topics);
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

  private createKey(props: EventPipelineProps): KmsKey {
    const { region, accountId } = props;
    const partition = awsPartitionOf(region);
    return new KmsKey(this, 'key', {
      description: `${props.resourcePrefix}: event pipeline queues and worker secrets`,
      enableKeyRotation: true,
      // Ephemeral like the runners stack; the archive keeps its own key.
      deletionWindowInDays: 7,
      // Lazy: the rules that may use the key are added below (a rule does not depend on the key).
      policy: Lazy.stringValue({
        produce: () =>
          toResourcePolicyJson([
            // In a key policy, Resource "*" means this key. The root statement lets IAM policies grant its use.
            {
              sid: 'AccountRootAdministersKey',
              principal: { AWS: [accountRootArn(partition, accountId)] },
              actions: ['kms:*'],
              resources: ['*'],
            },
            {
              // EventBridge encrypts what it delivers to SSE-KMS queues (the rule targets and their DLQ),
              // for this pipeline's rules only.
              sid: 'EventBridgeDeliversToQueues',
              principal: { Service: ['events.amazonaws.com'] },
              actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
              resources: ['*'],
              conditions: { StringEquals: { 'aws:SourceAccount': accountId }, ArnEquals: { 'aws:SourceArn': [...this.ruleArns] } },
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
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': environmentLogGroupArns(
                    partition,
                    region,
                    accountId,
                    props.envName,
                    props.resourcePrefix,
                  ),
                },
              },
            },
          ]),
      }),
    });
  }

  private addMetadataWorker(props: EventPipelineProps): PipelineWorker {
    const { archive } = props;
    return this.addWorker('metadata', props, {
      functionName: `${props.resourcePrefix}-metadata-worker`,
      description: 'Fetches recording metadata of ended conversations under the rate budget and archives it',
      entry: path.join(__dirname, '..', '..', 'functions', 'metadata-worker', 'index.ts'),
      timeoutSec: props.workerTimeoutSec,
      plan: props.metadataWorker,
      client: props.genesys.metadataWorkerClient,
      batchSize: props.batchSize,
      oldestMessageAlarmSec: 900,
      retrieval: 'metadata',
      environment: (shared) =>
        lambdaEnvironment(METADATA_WORKER_ENV, {
          ...shared,
          RESULTS_BUCKET: archive.results.name,
          AVAILABILITY_MAX_CHECKS: AVAILABILITY_DEFAULTS.maxChecks,
          AVAILABILITY_FIRST_DELAY_SEC: AVAILABILITY_DEFAULTS.firstDelaySec,
        }),
      grantArchive: (g) => grantArchiveWrite(g, archive, 'results', ARCHIVE_PREFIXES.metadata),
    });
  }

  private addReportWorker(props: EventPipelineProps): PipelineWorker {
    const { archive } = props;
    return this.addWorker('report', props, {
      functionName: `${props.resourcePrefix}-report-jobs`,
      description: 'Exports load-test conversations through the async analytics conversation details jobs API',
      entry: path.join(__dirname, '..', '..', 'functions', 'report-jobs', 'index.ts'),
      timeoutSec: REPORT_WORKER_TIMEOUT_SEC,
      plan: props.reportWorker,
      client: props.genesys.reportWorkerClient,
      // Each message may poll a job for minutes: one at a time per invocation.
      batchSize: 1,
      oldestMessageAlarmSec: 3600,
      retrieval: 'analytics',
      environment: (shared) => lambdaEnvironment(REPORT_JOBS_ENV, { ...shared, ANALYTICS_BUCKET: archive.analytics.name }),
      grantArchive: (g) => {
        grantArchiveRead(g, archive, 'analytics', ARCHIVE_PREFIXES.analytics);
        grantArchiveWrite(g, archive, 'analytics', ARCHIVE_PREFIXES.analytics);
        // Only the worker's own bookkeeping is ever deleted: waiting markers and job records.
        grantArchiveDelete(g, archive, 'analytics', {
          prefix: ARCHIVE_PREFIXES.analytics,
          keys: ['pending/*', '*/job.json'],
          name: 'ReportBookkeeping',
        });
      },
    });
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

  private addRule(id: string, name: string, props: EventPipelineProps, topics: readonly string[], queue: WorkQueue): CloudwatchEventRule {
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
    this.ruleArns.push(rule.arn);
    return rule;
  }

  private addWorker(
    id: string,
    props: EventPipelineProps,
    o: {
      functionName: string;
      description: string;
      entry: string;
      timeoutSec: number;
      plan: WorkerPlan;
      client: GenesysRefs['metadataWorkerClient'];
      batchSize: number;
      oldestMessageAlarmSec: number;
      retrieval: 'metadata' | 'analytics';
      /** The worker's variables (lib/contracts/lambda-env.ts), given those both workers share. */
      environment: (shared: LambdaEnvInput<typeof SQS_WORKER_ENV>) => Record<string, string>;
      grantArchive: (g: IGrantable) => void;
    },
  ): PipelineWorker {
    // The plan's concurrency (at least the mapping's minimum of 2) is both the reserved concurrency
    // and the mapping's maximum, so polled messages are never throttled back.
    const { concurrency } = o.plan;
    const batchingWindowSec = o.batchSize > 10 ? 1 : 0;
    const queue = new WorkQueue(this, `${id}-queue`, {
      queueName: `${o.functionName}`,
      kmsKeyArn: this.key.arn,
      visibilityTimeoutSec: VISIBILITY_TIMEOUT_FACTOR * o.timeoutSec + batchingWindowSec,
      maxReceiveCount: props.maxReceiveCount,
      oldestMessageAlarmSec: o.oldestMessageAlarmSec,
      alarmActions: props.alarmActions,
    });
    // The genesys stack writes the secret; this stack finds it by name and grants the worker.
    const secret = new ClientSecretLookup(this, `${id}-client`, { client: o.client, region: props.region });
    const fn = new NodeFunction(this, `${id}-worker`, {
      functionName: o.functionName,
      description: o.description,
      entry: o.entry,
      timeoutSec: o.timeoutSec,
      reservedConcurrency: concurrency,
      logRetentionDays: props.logRetentionDays,
      // The environment holds no secrets (those are in Secrets Manager), but it names them: encrypt it with the pipeline key.
      kmsKeyArn: this.key.arn,
      logsKmsKeyArn: this.key.arn,
      tags: { 'loadlab-retrieval': o.retrieval },
      environment: o.environment({
        GENESYS_API_BASE: props.genesysApiBase,
        GENESYS_LOGIN_BASE: props.genesysLoginBase,
        CLIENT_SECRET_ARN: secret.arn,
        // The plan's per-invocation rate, already rounded down so the fleet never exceeds it.
        RATE_PER_MINUTE: o.plan.requestsPerMinutePerInvocation,
        ARCHIVE_KMS_KEY_ARN: props.archive.keyArn,
        QUEUE_URL: queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: queue.deadLetterQueueUrl,
        MAX_RECEIVE_COUNT: props.maxReceiveCount,
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
      alarmActions: props.alarmActions ? [...props.alarmActions] : undefined,
      okActions: props.alarmActions ? [...props.alarmActions] : undefined,
    });
    return { fn, queue, secret, eventSourceMapping, throttledAlarm, plan: o.plan };
  }
}

/**
 * ARN patterns of every log group of an environment's runners stack: its Lambda functions
 * (`/aws/lambda/loadlab-<env>-…`), the JMeter shards (`/loadlab/<env>/…`) and the state machine
 * (`/aws/vendedlogs/states/loadlab-<env>-…`); see NodeFunction and lib/runners/naming.ts.
 */
export function environmentLogGroupArns(partition: string, region: string, accountId: string, envName: string, prefix: string): string[] {
  const base = `arn:${partition}:logs:${region}:${accountId}:log-group:`;
  return [`${base}/aws/lambda/${prefix}-*`, `${base}/loadlab/${envName}/*`, `${base}/aws/vendedlogs/states/${prefix}-*`];
}
