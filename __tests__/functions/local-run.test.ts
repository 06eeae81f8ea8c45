/**
 * The handler factories run the deployed entry code locally: the simulator as Genesys Cloud,
 * LocalAws as S3, SQS and Secrets Manager, no code edited (as docs/throttling.md shows).
 */
import { createMetadataWorkerHandler } from '../../functions/metadata-worker';
import { createReportJobsHandler } from '../../functions/report-jobs';
import { reportKeys } from '../../functions/report-jobs/messages';
import { LocalAws } from '../../functions/shared/local-aws';
import { startSimulator, type Simulator } from '../../sim/server';
import { conversationEvent, drain } from './helpers';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:local-worker';
const Q = 'local://queue';
const DLQ = 'local://dlq';
const context = { getRemainingTimeInMillis: () => 60_000 };

describe('worker handler factories run locally against the simulator', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({
      minuteMs: 1000,
      clients: [{ id: 'local-worker', secret: 'local-secret' }],
      jobs: { queuedMs: 20, pendingMs: 50 },
    });
  });
  afterEach(() => sim.stop());

  const env = (bucketVariable: string) => ({
    [bucketVariable]: 'local-bucket',
    QUEUE_URL: Q,
    DEAD_LETTER_QUEUE_URL: DLQ,
    CLIENT_SECRET_ARN: SECRET_ARN,
    RATE_PER_MINUTE: '6000',
    // The deployed values point at Genesys Cloud; the factory's genesys option replaces them.
    GENESYS_API_BASE: 'https://api.mypurecloud.com',
    GENESYS_LOGIN_BASE: 'https://login.mypurecloud.com',
  });

  it('metadata worker: conversation events in, recording metadata in the results bucket, duplicates written once', async () => {
    const aws = new LocalAws({ secrets: { [SECRET_ARN]: { clientId: 'local-worker', clientSecret: 'local-secret' } } });
    const metrics: string[] = [];
    const handler = createMetadataWorkerHandler({
      genesys: { apiBase: sim.url },
      s3: aws.s3,
      sqs: aws.sqs,
      secrets: aws.secrets,
      env: env('RESULTS_BUCKET'),
      writeMetrics: (line) => metrics.push(line),
    });
    const ids = ['conv-1', 'conv-2', 'conv-3'];
    for (const id of ids) await aws.queues.send(Q, conversationEvent(id));
    await aws.queues.send(Q, conversationEvent('conv-1')); // delivered twice
    await drain(aws.queues, Q, DLQ, (batch) => handler({ Records: batch }, context));
    const archived = aws.bucket('local-bucket');
    // Audio and screen recording of each conversation, written once each (conv-1 came twice).
    for (const id of ids) expect([...archived.keys()].filter((k) => k.startsWith(`metadata/${id}/`))).toHaveLength(2);
    expect(sim.stats().totals.requests).toBeGreaterThanOrEqual(ids.length * 2);
    expect(aws.queues.size(DLQ)).toBe(0);
    expect(metrics.length).toBeGreaterThan(0);
    // Every call went to the simulator, none to the deployed Genesys URL.
    expect(sim.stats().byClient['local-worker'].tokensIssued).toBe(1);
  });

  it('report-jobs: an end-of-test window in, the analytics export in the analytics bucket', async () => {
    const aws = new LocalAws({ secrets: { [SECRET_ARN]: { clientId: 'local-worker', clientSecret: 'local-secret' } } });
    const handler = createReportJobsHandler({
      genesys: { apiBase: sim.url },
      s3: aws.s3,
      sqs: aws.sqs,
      secrets: aws.secrets,
      env: env('ANALYTICS_BUCKET'),
      writeMetrics: () => undefined,
    });
    const iso = (t: number) => new Date(t).toISOString();
    const window = { testId: 'local_run', interval: `${iso(Date.now() - 3 * 3600_000)}/${iso(Date.now() - 2 * 3600_000)}` };
    await aws.queues.send(Q, JSON.stringify(window));
    await drain(aws.queues, Q, DLQ, (batch) => handler({ Records: batch }, context));
    expect(aws.bucket('local-bucket').has(reportKeys.manifest('local_run'))).toBe(true);
    expect(sim.stats().byEndpoint['POST /api/v2/analytics/conversations/details/jobs']?.requests).toBe(1);
  });

  it('a missing secret fails with its name', async () => {
    const aws = new LocalAws();
    const handler = createMetadataWorkerHandler({
      genesys: { apiBase: sim.url },
      ...aws,
      env: env('RESULTS_BUCKET'),
      writeMetrics: () => undefined,
    });
    await expect(handler({ Records: [{ messageId: 'm', body: conversationEvent('c') }] }, context)).rejects.toThrow(
      /secret .*local-worker not found/,
    );
  });
});
