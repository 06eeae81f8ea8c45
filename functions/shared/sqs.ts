import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The parts of an SQS-triggered Lambda event the workers read (no @types/aws-lambda dependency). */
export interface SqsMessageAttribute {
  readonly stringValue?: string;
  readonly dataType: string;
}

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle?: string;
  readonly body: string;
  readonly attributes?: { readonly ApproximateReceiveCount?: string; readonly [name: string]: string | undefined };
  readonly messageAttributes?: Readonly<Record<string, SqsMessageAttribute>>;
  readonly eventSourceARN?: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** What `ReportBatchItemFailures` expects back: only these messages become visible again. */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** The slice of the Lambda context the workers use. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  readonly functionName?: string;
}

/** Message attributes the workers set: why a message was dead-lettered, how often it was re-checked. */
export const ATTR = {
  reason: 'loadlab-dead-letter-reason',
  failedAt: 'loadlab-failed-at',
  sourceMessageId: 'loadlab-source-message-id',
  checks: 'loadlab-availability-checks',
  polls: 'loadlab-job-polls',
} as const;

export interface SendOptions {
  /** 0-900 s: SQS's own delay, so a re-check costs no Lambda time while it waits. */
  readonly delaySeconds?: number;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Sends messages; the workers use it to re-enqueue with a delay and to dead-letter with a reason. */
export interface MessageSender {
  send(queueUrl: string, body: string, options?: SendOptions): Promise<void>;
}

/** SQS message attribute values are limited; reasons are cut to stay readable in the console. */
const MAX_ATTRIBUTE_CHARS = 1000;

export class SqsMessageSender implements MessageSender {
  constructor(private readonly client: Pick<SQSClient, 'send'>) {}

  async send(queueUrl: string, body: string, options: SendOptions = {}): Promise<void> {
    const attributes = Object.fromEntries(
      Object.entries(options.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v.slice(0, MAX_ATTRIBUTE_CHARS) }]),
    );
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        DelaySeconds: options.delaySeconds === undefined ? undefined : clampDelay(options.delaySeconds),
        MessageAttributes: Object.keys(attributes).length > 0 ? attributes : undefined,
      }),
    );
  }
}

/** SQS accepts whole seconds from 0 to 900. */
export function clampDelay(seconds: number): number {
  return Math.min(900, Math.max(0, Math.round(seconds)));
}

/** An attribute's string value, if present. */
export function attribute(record: SqsRecord, name: string): string | undefined {
  return record.messageAttributes?.[name]?.stringValue;
}

/** A non-negative integer attribute (counters such as availability checks), 0 when absent or garbled. */
export function counterAttribute(record: SqsRecord, name: string): number {
  const n = Number(attribute(record, name) ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function receiveCount(record: SqsRecord): number {
  const n = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** Attributes carried into the dead-letter queue: the reason a human reads before redriving. */
export function deadLetterAttributes(record: SqsRecord, reason: string, now: number): Record<string, string> {
  return { [ATTR.reason]: reason, [ATTR.failedAt]: new Date(now).toISOString(), [ATTR.sourceMessageId]: record.messageId };
}

/** Moves a message to the dead-letter queue with its reason, and logs it: what both workers do with a message they give up on. */
export async function sendToDeadLetter(
  sender: MessageSender,
  deadLetterQueueUrl: string,
  record: SqsRecord,
  reason: string,
  at: { readonly now: number; readonly log: (entry: Record<string, unknown>) => void },
): Promise<void> {
  await sender.send(deadLetterQueueUrl, record.body, { attributes: deadLetterAttributes(record, reason, at.now) });
  at.log({ level: 'WARN', msg: 'dead-lettered', messageId: record.messageId, reason });
}
