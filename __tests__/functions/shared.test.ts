import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { S3ObjectStore } from '../../functions/shared/object-store';
import { InvocationMetrics } from '../../functions/shared/metrics';
import { METRICS_NAMESPACE } from '../../lib/contracts/metrics';
import { parseCredentials, WorkerClientCache, workerSettings } from '../../functions/shared/genesys';
import { SqsMessageSender } from '../../functions/shared/sqs';
import { bundleHandler } from '../../lib/lambda/bundle';
import { simHarness } from './helpers';

/** S3 as far as the store uses it: conditional create answers 412 like the real service. */
function fakeS3() {
  const objects = new Map<string, string>();
  const calls: unknown[] = [];
  const send = async (cmd: unknown) => {
    calls.push(cmd);
    if (cmd instanceof PutObjectCommand) {
      const { Key, Body, IfNoneMatch } = cmd.input;
      if (IfNoneMatch === '*' && objects.has(Key!))
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      objects.set(Key!, String(Body));
      return {};
    }
    if (cmd instanceof GetObjectCommand) {
      const v = objects.get(cmd.input.Key!);
      if (v === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      return { Body: { transformToString: async () => v } };
    }
    throw new Error(`unexpected command ${(cmd as object).constructor.name}`);
  };
  return { client: { send } as unknown as Pick<S3Client, 'send'>, objects, calls };
}

describe('S3ObjectStore', () => {
  it('creates once with If-None-Match and SSE-KMS, and reports a duplicate without writing', async () => {
    const s3 = fakeS3();
    const store = new S3ObjectStore(s3.client, { bucket: 'b', kmsKeyArn: 'arn:aws:kms:us-east-1:1:key/k' });
    await expect(store.putIfAbsent('metadata/c/r.json', '{"a":1}')).resolves.toBe('created');
    await expect(store.putIfAbsent('metadata/c/r.json', '{"a":2}')).resolves.toBe('exists');
    expect(s3.objects.get('metadata/c/r.json')).toBe('{"a":1}');
    expect((s3.calls[0] as PutObjectCommand).input).toMatchObject({
      Bucket: 'b',
      IfNoneMatch: '*',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:us-east-1:1:key/k',
    });
    await expect(store.get('missing')).resolves.toBeUndefined();
    await expect(store.get('metadata/c/r.json')).resolves.toBe('{"a":1}');
  });
});

describe('SqsMessageSender', () => {
  it('sends string attributes and a delay clamped to what SQS accepts', async () => {
    const sent: SendMessageCommand[] = [];
    await new SqsMessageSender({ send: async (c: unknown) => (sent.push(c as SendMessageCommand), {}) } as never).send(
      'https://q',
      'body',
      {
        delaySeconds: 5000,
        attributes: { 'loadlab-dead-letter-reason': 'why' },
      },
    );
    expect(sent[0].input).toEqual({
      QueueUrl: 'https://q',
      MessageBody: 'body',
      DelaySeconds: 900,
      MessageAttributes: { 'loadlab-dead-letter-reason': { DataType: 'String', StringValue: 'why' } },
    });
  });
});

describe('InvocationMetrics', () => {
  it('writes one CloudWatch EMF line with the 429 count and the rate-limit headers', () => {
    const m = new InvocationMetrics();
    m.onResponse({ method: 'GET', path: '/a', status: 200, attempt: 1, latencyMs: 3, rateLimit: { count: 10, allowed: 300, reset: 40 } });
    m.onResponse({
      method: 'GET',
      path: '/a',
      status: 429,
      attempt: 1,
      latencyMs: 3,
      retryAfterSec: 2,
      waitedMs: 1500,
      rateLimit: { count: 301, allowed: 300, reset: 2 },
    });
    m.count('EventsArchived', 4);
    const lines: string[] = [];
    m.flush('loadlab-example-metadata-worker', (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]);
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [['FunctionName']] });
    expect(doc).toMatchObject({
      FunctionName: 'loadlab-example-metadata-worker',
      ApiCalls: 2,
      Throttled: 1,
      RetryAfterWaitMs: 1500,
      RateLimitCount: 301,
      RateLimitAllowed: 300,
      EventsArchived: 4,
    });
    const declared = doc._aws.CloudWatchMetrics[0].Metrics.map((x: { Name: string }) => x.Name);
    expect(declared).toEqual(expect.arrayContaining(['Throttled', 'RateLimitCount', 'EventsArchived']));
  });
});

describe('worker settings and credentials', () => {
  it('names the missing variable and never echoes a secret', () => {
    expect(() => workerSettings({ GENESYS_API_BASE: 'x', GENESYS_LOGIN_BASE: 'y', CLIENT_SECRET_ARN: 'z' })).toThrow(/RATE_PER_MINUTE/);
    expect(() => parseCredentials('{"clientId":"a"}', 'arn:secret')).toThrow(/lacks clientId or clientSecret/);
    expect(() => parseCredentials('hunter2', 'arn:secret')).toThrow(/is not JSON/);
    expect(() => parseCredentials('hunter2', 'arn:secret')).not.toThrow(/hunter2/);
  });

  it('reads the secret once and reuses one token across invocations', async () => {
    const h = await simHarness();
    try {
      let secretReads = 0;
      const cache = new WorkerClientCache(
        () => ({ apiBase: h.sim.apiBase, loginBase: h.sim.loginBase, secretArn: 'arn:s', ratePerMinute: 6000 }),
        async () => (secretReads++, { clientId: 'worker', clientSecret: 'worker-secret' }),
      );
      const statuses: number[][] = [[], [], []];
      for (const s of statuses) {
        const api = await cache.get({ onResponse: (i) => s.push(i.status) });
        await api.get('/api/v2/conversations/c1/recordingmetadata');
      }
      expect(statuses).toEqual([[200], [200], [200]]);
      expect(secretReads).toBe(1);
      expect(h.sim.stats().byClient.worker.tokensIssued).toBe(1);
    } finally {
      await h.sim.stop();
    }
  });
});

describe('handler bundles', () => {
  it.each(['metadata-worker', 'report-jobs'])('%s bundles into one index.js exporting handler', (name) => {
    const { dir } = bundleHandler(path.join(__dirname, '..', '..', 'functions', name, 'index.ts'));
    const file = path.join(dir, 'index.js');
    expect(existsSync(file)).toBe(true);
    const code = readFileSync(file, 'utf8');
    expect(code).toMatch(/handler/);
    // The AWS SDK is bundled in; only Node built-ins (and the SDK's optional, never-used CRT signer) stay required at run time.
    const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((r) => !r.startsWith('node:'));
    expect(requires.filter((r) => r !== '@aws-sdk/signature-v4-crt' && !['crypto', 'http', 'https', 'url', 'buffer'].includes(r))).toEqual(
      [],
    );
  });
});
