import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { METADATA_WORKER_ENV } from '../../lib/contracts/lambda-env';
import { sqsWorkerHandler, type SqsWorkerWiring } from '../../functions/shared/handler';

const ENV = {
  GENESYS_API_BASE: 'http://127.0.0.1:9',
  GENESYS_LOGIN_BASE: 'http://127.0.0.1:9',
  CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:worker',
  RATE_PER_MINUTE: '600',
  RESULTS_BUCKET: 'loadlab-example-results',
  ARCHIVE_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/k',
  QUEUE_URL: 'https://sqs.test/q',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.test/dlq',
  MAX_RECEIVE_COUNT: '3',
};

function rig(env: Record<string, string | undefined> = ENV) {
  const sent: unknown[] = [];
  const metricLines: Record<string, unknown>[] = [];
  let secretReads = 0;
  const wirings: SqsWorkerWiring[] = [];
  const handler = sqsWorkerHandler({
    name: 'metadata-worker',
    contract: METADATA_WORKER_ENV,
    bucketVariable: 'RESULTS_BUCKET',
    recordsMetric: 'Events',
    env,
    writeMetrics: (line) => metricLines.push(JSON.parse(line)),
    aws: {
      s3: { send: async (cmd: unknown) => (sent.push(cmd), {}) } as never,
      sqs: { send: async (cmd: unknown) => (sent.push(cmd), {}) } as never,
      secrets: { send: async () => (secretReads++, { SecretString: '{"clientId":"worker","clientSecret":"s3cret"}' }) } as never,
    },
    process: async (records, wiring) => {
      wirings.push(wiring);
      await wiring.store.put('metadata/c1/r1.json', '{}');
      await wiring.sender.send(wiring.queueUrl, 'again');
      return { batchItemFailures: records.slice(1).map((r) => ({ itemIdentifier: r.messageId })) };
    },
  });
  return { handler, sent, metricLines, wirings, secretReads: () => secretReads };
}

const context = { getRemainingTimeInMillis: () => 12_345 };
const event = {
  Records: [
    { messageId: 'm1', body: '{}' },
    { messageId: 'm2', body: '{}' },
  ],
};

describe('shared SQS worker handler', () => {
  it('wires the queue settings from the environment, reuses the client and writes one metrics line per invocation', async () => {
    const r = rig();
    await expect(r.handler(event, context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    await r.handler(event, { ...context, functionName: 'loadlab-example-metadata' });
    expect(r.secretReads()).toBe(1);
    expect(r.wirings[1].api).toBe(r.wirings[0].api);
    expect(r.wirings[0]).toMatchObject({ queueUrl: ENV.QUEUE_URL, deadLetterQueueUrl: ENV.DEAD_LETTER_QUEUE_URL, maxReceiveCount: 3 });
    expect(r.wirings[0].remainingMs()).toBe(12_345);
    const put = r.sent.find((c) => c instanceof PutObjectCommand) as PutObjectCommand;
    expect(put.input).toMatchObject({ Bucket: ENV.RESULTS_BUCKET, SSEKMSKeyId: ENV.ARCHIVE_KMS_KEY_ARN, ServerSideEncryption: 'aws:kms' });
    expect((r.sent.find((c) => c instanceof SendMessageCommand) as SendMessageCommand).input.QueueUrl).toBe(ENV.QUEUE_URL);
    expect(r.metricLines.map((m) => [m.FunctionName, m.Events])).toEqual([
      ['metadata-worker', 2],
      ['loadlab-example-metadata', 2],
    ]);
  });

  it('defaults MAX_RECEIVE_COUNT to 5', async () => {
    const r = rig({ ...ENV, MAX_RECEIVE_COUNT: undefined });
    await r.handler(event, context);
    expect(r.wirings[0].maxReceiveCount).toBe(5);
  });

  it.each([
    [{ QUEUE_URL: ' ' }, /environment variable QUEUE_URL is not set \(the EventPipeline construct sets it\)/],
    [{ RESULTS_BUCKET: undefined }, /environment variable RESULTS_BUCKET is not set/],
    [{ MAX_RECEIVE_COUNT: 'five' }, /environment variable MAX_RECEIVE_COUNT must be a whole number \(got five\)/],
    [{ RATE_PER_MINUTE: '0' }, /RATE_PER_MINUTE must be a positive number/],
  ])('a bad variable %p fails the invocation with its name and still writes the metrics line', async (override, message) => {
    const r = rig({ ...ENV, ...override });
    await expect(r.handler(event, context)).rejects.toThrow(message);
    expect(r.wirings).toHaveLength(0);
    expect(r.metricLines).toHaveLength(1);
    expect(r.metricLines[0].Events).toBe(2);
  });
});
