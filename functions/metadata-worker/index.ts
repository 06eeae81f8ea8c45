/**
 * Lambda entry of the metadata worker: SQS (conversation events from the partner event bus) ->
 * paced Genesys Cloud calls -> archive. Everything expensive lives at module level so it is
 * reused across invocations: AWS clients, the OAuth token, the token bucket.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readCredentials, workerSettings, WorkerClientCache } from '../shared/genesys';
import { InvocationMetrics } from '../shared/metrics';
import { S3ObjectStore } from '../shared/object-store';
import { SqsMessageSender, type LambdaContextLike, type SqsBatchResponse, type SqsEvent } from '../shared/sqs';
import { DEFAULT_AVAILABILITY, processMetadataBatch } from './worker';

const s3 = new S3Client({});
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const clients = new WorkerClientCache(
  () => workerSettings(),
  (arn) => readCredentials(secrets, arn),
);

function required(name: string): string {
  const v = process.env[name]?.trim();
  if (!v) throw new Error(`environment variable ${name} is not set (the EventPipeline construct sets it)`);
  return v;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`environment variable ${name} must be a whole number (got ${raw})`);
  return n;
}

export async function handler(event: SqsEvent, context: LambdaContextLike): Promise<SqsBatchResponse> {
  const metrics = new InvocationMetrics();
  const functionName = context.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'metadata-worker';
  try {
    const api = await clients.get(metrics.onResponse);
    return await processMetadataBatch(event.Records, {
      api,
      store: new S3ObjectStore(s3, { bucket: required('RESULTS_BUCKET'), kmsKeyArn: process.env.ARCHIVE_KMS_KEY_ARN }),
      sender: new SqsMessageSender(sqs),
      queueUrl: required('QUEUE_URL'),
      deadLetterQueueUrl: required('DEAD_LETTER_QUEUE_URL'),
      maxReceiveCount: positiveInt('MAX_RECEIVE_COUNT', 5),
      availability: {
        maxChecks: positiveInt('AVAILABILITY_MAX_CHECKS', DEFAULT_AVAILABILITY.maxChecks),
        firstDelaySec: positiveInt('AVAILABILITY_FIRST_DELAY_SEC', DEFAULT_AVAILABILITY.firstDelaySec),
        maxDelaySec: DEFAULT_AVAILABILITY.maxDelaySec,
      },
      metrics,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
  } finally {
    metrics.count('Events', event.Records.length);
    metrics.flush(functionName);
  }
}
