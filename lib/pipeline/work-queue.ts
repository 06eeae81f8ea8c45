import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { IGrantable } from '../iam/policy';
import { toResourcePolicyJson, type ResourcePolicyStatement } from '../archive/resource-policy';

export interface WorkQueueProps {
  /** Physical name; the dead-letter queue is `<queueName>-dlq`. */
  readonly queueName: string;
  /** Customer-managed key both queues are encrypted with (EventBridge can only deliver to SSE-KMS queues whose key lets it). */
  readonly kmsKeyArn: string;
  /** At least 6 x the consuming function's timeout (AWS guidance for Lambda event sources). */
  readonly visibilityTimeoutSec: number;
  /** Receives before SQS moves a message to the DLQ (1-5). */
  readonly maxReceiveCount: number;
  /** Alarm when the oldest message waits longer than this. */
  readonly oldestMessageAlarmSec: number;
  /** Default 4 days. */
  readonly retentionSec?: number;
  /** SNS topics (or other alarm actions) to notify. Default: none, the alarms only change state. */
  readonly alarmActions?: readonly string[];
}

const DLQ_RETENTION_SEC = 14 * 24 * 3600;

/**
 * An SSE-KMS queue with its own SSE-KMS dead-letter queue (redrive allowed only from this queue),
 * TLS-only queue policies, and alarms on DLQ depth and on the age of the oldest message. Who may
 * send is decided by the grants (`allowEventRule`, `grantSend`), not by callers writing policies.
 */
export class WorkQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly dlqDepthAlarm: CloudwatchMetricAlarm;
  readonly oldestMessageAlarm: CloudwatchMetricAlarm;
  private readonly queueStatements: ResourcePolicyStatement[] = [];
  private readonly dlqStatements: ResourcePolicyStatement[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WorkQueueProps,
  ) {
    super(scope, id);
    if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 1 || props.maxReceiveCount > 5) {
      throw new Error(`WorkQueue ${props.queueName}: maxReceiveCount must be 1-5 (got ${props.maxReceiveCount})`);
    }
    if (!Number.isInteger(props.visibilityTimeoutSec) || props.visibilityTimeoutSec < 0 || props.visibilityTimeoutSec > 43200) {
      throw new Error(`WorkQueue ${props.queueName}: visibilityTimeoutSec must be 0-43200 (got ${props.visibilityTimeoutSec})`);
    }
    this.deadLetterQueue = new SqsQueue(this, 'dlq', {
      name: `${props.queueName}-dlq`,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: DLQ_RETENTION_SEC,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: props.queueName,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      visibilityTimeoutSeconds: props.visibilityTimeoutSec,
      messageRetentionSeconds: props.retentionSec ?? 4 * 24 * 3600,
      // Long polling: fewer empty receives.
      receiveWaitTimeSeconds: 20,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: props.maxReceiveCount }),
    });
    new SqsQueueRedriveAllowPolicy(this, 'dlq-redrive-allow', {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
    });
    for (const [policyId, q, statements] of [
      ['queue-policy', this.queue, this.queueStatements],
      ['dlq-policy', this.deadLetterQueue, this.dlqStatements],
    ] as const) {
      statements.push({
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principal: '*',
        actions: ['sqs:*'],
        resources: [q.arn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      new SqsQueuePolicy(this, policyId, {
        queueUrl: q.url,
        policy: Lazy.stringValue({ produce: () => toResourcePolicyJson(statements) }),
      });
    }
    const actions = props.alarmActions ? [...props.alarmActions] : undefined;
    this.dlqDepthAlarm = new CloudwatchMetricAlarm(this, 'dlq-depth', {
      alarmName: `${props.queueName}-dlq-not-empty`,
      alarmDescription: `Messages in ${props.queueName}-dlq: read their loadlab-dead-letter-reason attribute, fix the cause, then redrive.`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: actions,
      okActions: actions,
    });
    this.oldestMessageAlarm = new CloudwatchMetricAlarm(this, 'oldest-message', {
      alarmName: `${props.queueName}-oldest-message-age`,
      alarmDescription: `A message has waited over ${props.oldestMessageAlarmSec} s in ${props.queueName}: the worker is stuck or under-provisioned.`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: this.queue.name },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: props.oldestMessageAlarmSec,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: actions,
      okActions: actions,
    });
  }

  get queueUrl(): string {
    return this.queue.url;
  }

  get queueArn(): string {
    return this.queue.arn;
  }

  get deadLetterQueueUrl(): string {
    return this.deadLetterQueue.url;
  }

  get deadLetterQueueArn(): string {
    return this.deadLetterQueue.arn;
  }

  /**
   * Admits one EventBridge rule as a sender (queue policy conditioned on the rule's ARN), and lets
   * the same rule's target dead-letter undeliverable events into the DLQ.
   */
  allowEventRule(sid: string, ruleArn: string): void {
    const statement = (arn: string): ResourcePolicyStatement => ({
      sid,
      principal: { Service: ['events.amazonaws.com'] },
      actions: ['sqs:SendMessage'],
      resources: [arn],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    this.queueStatements.push(statement(this.queue.arn));
    this.dlqStatements.push(statement(this.deadLetterQueue.arn));
  }

  private grantKey(grantee: IGrantable, sid: string, actions: string[]): void {
    grantee.addToPolicy({
      sid,
      actions,
      resources: [this.props.kmsKeyArn],
      conditions: { StringLike: { 'kms:ViaService': 'sqs.*.amazonaws.com' } },
    });
  }

  private label(): string {
    return this.node.id.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  }

  /** What an SQS event source mapping needs to poll and delete on the function's behalf. */
  grantConsume(grantee: IGrantable): void {
    grantee.addToPolicy({
      sid: `Consume${this.label()}`,
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      resources: [this.queue.arn],
    });
    this.grantKey(grantee, `Decrypt${this.label()}`, ['kms:Decrypt']);
  }

  /** Send to the queue (re-enqueue with a delay; the state machine's end-of-test message). */
  grantSend(grantee: IGrantable): void {
    grantee.addToPolicy({ sid: `SendTo${this.label()}`, actions: ['sqs:SendMessage'], resources: [this.queue.arn] });
    this.grantKey(grantee, `Encrypt${this.label()}`, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  /** Send to the DLQ directly: a worker dead-letters a message it can never process, with the reason attached. */
  grantSendDeadLetter(grantee: IGrantable): void {
    grantee.addToPolicy({ sid: `DeadLetter${this.label()}`, actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.arn] });
    this.grantKey(grantee, `EncryptDlq${this.label()}`, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }
}
