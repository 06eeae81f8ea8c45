/**
 * Lambda entry of the report-jobs worker: SQS (end-of-test windows from the state machine and the
 * analytics availability event) -> async conversation details jobs -> reports bucket.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readCredentials, workerSettings, WorkerClientCache } from '../shared/genesys';
import { InvocationMetrics } from '../shared/metrics';
import { S3ObjectStore } from '../shared/object-store';
import { SqsMessageSender, type LambdaContextLike, type SqsBatchResponse, type SqsEvent } from '../shared/sqs';
import { processReportBatch } from './worker';

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

export async function handler(event: SqsEvent, context: LambdaContextLike): Promise<SqsBatchResponse> {
  const metrics = new InvocationMetrics();
  const functionName = context.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'report-jobs';
  try {
    const api = await clients.get(metrics.onResponse);
    return await processReportBatch(event.Records, {
      api,
      store: new S3ObjectStore(s3, { bucket: required('REPORTS_BUCKET'), kmsKeyArn: process.env.ARCHIVE_KMS_KEY_ARN }),
      sender: new SqsMessageSender(sqs),
      queueUrl: required('QUEUE_URL'),
      deadLetterQueueUrl: required('DEAD_LETTER_QUEUE_URL'),
      maxReceiveCount: Number(process.env.MAX_RECEIVE_COUNT ?? '5'),
      metrics,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
  } finally {
    metrics.count('Messages', event.Records.length);
    metrics.flush(functionName);
  }
}
