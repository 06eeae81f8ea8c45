import { GenesysApiError, type ResponseInfo } from '../../lib/genesys-client';
import { processMetadataBatch, type MetadataWorkerDeps, type RecordingsApi } from '../../functions/metadata-worker/worker';
import { metadataKey, parseMetadataEvent, MalformedEventError } from '../../functions/metadata-worker/event';
import { MemoryQueues } from '../../functions/shared/memory-queue';
import { InvocationMetrics } from '../../functions/shared/metrics';
import { MemoryObjectStore } from '../../functions/shared/object-store';
import { ATTR, type SqsRecord } from '../../functions/shared/sqs';
import { planBudget } from '../../lib/ratelimits';
import { repoEnvironment } from '../helpers/env';
import { conversationEvent, drain, simHarness, type SimHarness } from './helpers';

const Q = 'https://sqs.test/metadata';
const DLQ = 'https://sqs.test/metadata-dlq';
const conv = (i: number) => `0000${i.toString(16).padStart(4, '0')}-1111-4222-a333-444455556666`;

function deps(
  api: RecordingsApi,
  store: MemoryObjectStore,
  queues: MemoryQueues,
  extra: Partial<MetadataWorkerDeps> = {},
): MetadataWorkerDeps {
  return {
    api,
    store,
    sender: queues,
    queueUrl: Q,
    deadLetterQueueUrl: DLQ,
    maxReceiveCount: 5,
    availability: { maxChecks: 8, firstDelaySec: 1, maxDelaySec: 900 },
    metrics: new InvocationMetrics(),
    log: () => undefined,
    ...extra,
  };
}

describe('parseMetadataEvent', () => {
  it('reads the Genesys EventBridge envelope', () => {
    expect(parseMetadataEvent(conversationEvent(conv(1), 'user.end'))).toEqual({
      kind: 'conversation-end',
      conversationId: conv(1),
      topicName: `v2.detail.events.conversation.${conv(1)}.user.end`,
      eventTime: new Date(1795428000000).toISOString(),
    });
    expect(parseMetadataEvent(conversationEvent(conv(1), 'customer.start')).kind).toBe('ignored');
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ detail: {} }), /detail-type/],
    [JSON.stringify({ 'detail-type': 'x', detail: { eventBody: {} } }), /topicName/],
    [
      JSON.stringify({ 'detail-type': 'x', detail: { topicName: 'v2.audits.entitytype.a.entityid.b', eventBody: {} } }),
      /not a conversation detail event/,
    ],
    [conversationEvent(conv(1), 'customer.end', { conversationId: conv(2) }), /differs from the topic/],
    [conversationEvent('bad/../id', 'customer.end', { conversationId: 'bad/../id' }), /not a conversation detail event|not a valid id/],
  ])('rejects %s with a reason', (body, reason) => {
    expect(() => parseMetadataEvent(body)).toThrow(MalformedEventError);
    expect(() => parseMetadataEvent(body)).toThrow(reason);
  });
});

describe('metadata worker against the simulator', () => {
  let h: SimHarness | undefined;
  afterEach(async () => {
    await h?.sim.stop();
    h = undefined;
  });

  it('archives every event or dead-letters it with a reason; duplicates write once; only one token is used', async () => {
    h = await simHarness({ conversations: { recordingsPerConversation: 2 } });
    const api = h!.client({ ratePerSimMinute: 250 });
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const bodies: string[] = [];
    for (let i = 0; i < 30; i++) bodies.push(conversationEvent(conv(i)));
    // The same conversation ends for the agent and goes to wrap-up: duplicates by design.
    for (let i = 0; i < 10; i++) bodies.push(conversationEvent(conv(i), 'user.end'), conversationEvent(conv(i), 'acw'));
    const malformed = [
      '{"oops"',
      JSON.stringify({ 'detail-type': 'v2.detail.events.conversation.{id}.customer.end', detail: { topicName: 'x' } }),
    ];
    bodies.push(...malformed, conversationEvent(conv(99), 'customer.start'));
    for (const b of bodies) await queues.send(Q, b);

    let invocations = 0;
    await drain(queues, Q, DLQ, (batch) => (invocations++, processMetadataBatch(batch, deps(api, store, queues))), { concurrency: 2 });

    expect(invocations).toBeGreaterThan(1);
    const keys = [...store.objects.keys()];
    expect(keys).toHaveLength(60);
    for (let i = 0; i < 30; i++) expect(keys.filter((k) => k.startsWith(`metadata/${conv(i)}/`))).toHaveLength(2);
    expect(store.writes).toHaveLength(60); // 20 duplicate events wrote nothing
    const doc = JSON.parse(store.objects.get(keys[0])!);
    expect(doc).toMatchObject({
      conversationId: expect.any(String),
      recordingId: expect.any(String),
      recordingMetadata: { fileState: 'AVAILABLE' },
    });
    expect(doc.recording.mediaUris).toBeUndefined();
    const dead = queues.messages(DLQ);
    expect(dead.map((d) => d.body).sort()).toEqual([...malformed].sort());
    for (const d of dead) expect(d.attributes[ATTR.reason]).toMatch(/^malformed event: /);
    // Every one of the 53 events is accounted for: archived, duplicate, ignored or dead-lettered.
    expect(queues.size(Q)).toBe(0);
    expect(h!.sim.stats().byClient.worker.tokensIssued).toBe(1);
    expect(h!.sim.stats().totals['429']).toBe(0);
  });

  it('shares the planned rate fairly between concurrent invocations: one token each at its share, the fleet within the plan', async () => {
    // Limits scaled down (30 per token, 300 per client and window) so the run is light; the plan is the real planner's.
    const base = repoEnvironment().config;
    const plan = planBudget({
      ...base,
      genesys: {
        ...base.genesys,
        limits: { 'client.credentials.token.rate.per.minute': 30, 'token.rate.per.minute': 30, 'org.app.user.rate.per.minute': 300 },
      },
      pipeline: { ...base.pipeline, expectedEventsPerMinute: 48, callsPerEvent: 2 },
    }).metadataWorker;
    expect(plan).toMatchObject({ concurrency: 4, requestsPerMinute: 96, requestsPerMinutePerInvocation: 24 });

    h = await simHarness({ limits: { perToken: 30, perClient: 300 } });
    const calls = Array.from({ length: plan.concurrency }, () => 0);
    // Each invocation (lane) is its own execution environment: its own client, token and bucket at its share.
    const lanes = calls.map((_, lane) =>
      h!.client({ ratePerSimMinute: plan.requestsPerMinutePerInvocation, onResponse: () => calls[lane]++ }),
    );
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const events = 120;
    for (let i = 0; i < events; i++) await queues.send(Q, conversationEvent(conv(i)));
    await drain(queues, Q, DLQ, (batch, lane) => processMetadataBatch(batch, deps(lanes[lane], store, queues)), {
      batchSize: 5,
      concurrency: plan.concurrency,
    });

    expect(store.objects.size).toBe(events * 2);
    expect(queues.size(DLQ)).toBe(0);
    const stats = h!.sim.stats();
    expect(stats.totals['429']).toBe(0);
    expect(stats.byClient.worker.tokensIssued).toBe(plan.concurrency);
    for (const token of Object.values(stats.byToken)) expect(token.peakPerWindow).toBeLessThanOrEqual(30);
    // The fleet stays within the plan plus its 20 % headroom (timer jitter only), and no invocation starves or hogs.
    expect(stats.byClient.worker.peakPerWindow).toBeLessThanOrEqual(plan.requestsPerMinute * 1.25);
    const total = calls.reduce((a, b) => a + b, 0);
    expect(total).toBe(events * 2);
    for (const c of calls) expect(c / total).toBeGreaterThan(0.2);
  });

  it('re-checks later while recordings are not available, then archives them', async () => {
    h = await simHarness({ recordingsAvailableAfterMs: 300 });
    const api = h!.client();
    const store = new MemoryObjectStore();
    // One SQS delay second lasts 100 ms here.
    const queues = new MemoryQueues({ msPerDelaySecond: 100 });
    for (let i = 0; i < 5; i++) await queues.send(Q, conversationEvent(conv(i)));
    const sent: { delay?: number; checks?: string }[] = [];
    const spy = {
      send: async (url: string, body: string, o?: { delaySeconds?: number; attributes?: Record<string, string> }) => {
        if (url === Q) sent.push({ delay: o?.delaySeconds, checks: o?.attributes?.[ATTR.checks] });
        return queues.send(url, body, o);
      },
    };
    await drain(queues, Q, DLQ, (batch) => processMetadataBatch(batch, { ...deps(api, store, queues), sender: spy }));
    expect(store.objects.size).toBe(10);
    expect(queues.size(DLQ)).toBe(0);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.filter((s) => s.checks === '1').every((s) => s.delay === 1)).toBe(true);
    // Doubling delays: the second re-check waits 2 "seconds".
    expect(sent.filter((s) => s.checks === '2').every((s) => s.delay === 2)).toBe(true);
  });

  it('dead-letters with the reason when recordings never become available', async () => {
    h = await simHarness({ recordingsAvailableAfterMs: 60_000 });
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues({ msPerDelaySecond: 1 });
    await queues.send(Q, conversationEvent(conv(7)));
    await drain(queues, Q, DLQ, (batch) =>
      processMetadataBatch(batch, {
        ...deps(h!.client(), store, queues),
        availability: { maxChecks: 3, firstDelaySec: 1, maxDelaySec: 4 },
      }),
    );
    const [dead] = queues.messages(DLQ);
    expect(dead.attributes[ATTR.reason]).toMatch(
      new RegExp(`recordings of conversation ${conv(7)} not available after 4 checks: GET .*HTTP 404`),
    );
    expect(store.objects.size).toBe(0);
  });

  it('honours Retry-After when the budget is wrong: waits what the simulator asks, loses nothing, counts the 429s', async () => {
    // A limit of 20 per token and window, with the worker paced far above it: the limiter must bite.
    h = await simHarness({ limits: { perToken: 20 } });
    const seen: { at: number; info: ResponseInfo }[] = [];
    const metrics = new InvocationMetrics();
    const api = h!.client({
      ratePerSimMinute: 400,
      onResponse: (info) => {
        seen.push({ at: Date.now(), info });
        metrics.onResponse(info);
      },
    });
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    for (let i = 0; i < 20; i++) await queues.send(Q, conversationEvent(conv(i)));
    await drain(queues, Q, DLQ, (batch) => processMetadataBatch(batch, { ...deps(api, store, queues), metrics }), { batchSize: 20 });

    expect(store.objects.size).toBe(40);
    expect(queues.size(DLQ)).toBe(0);
    const throttled = seen.filter((s) => s.info.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(metrics.get('Throttled')).toBe(h!.sim.stats().totals['429']);
    // The simulator's inin-ratelimit-* headers became metrics: the token's limit and its busiest count.
    expect(metrics.get('RateLimitAllowed')).toBe(20);
    expect(metrics.get('RateLimitCount')).toBeGreaterThan(20);
    for (const t of throttled) {
      expect(t.info.waitedMs).toBeGreaterThan(0);
      expect(t.info.waitedMs!).toBeLessThanOrEqual((t.info.retryAfterSec ?? 0) * 1000);
      // The retry of that same request is sent no earlier than the wait the server asked for.
      const retry = seen.find((s) => s.info.path === t.info.path && s.info.attempt === t.info.attempt + 1);
      expect(retry).toBeDefined();
      const sentAt = retry!.at - retry!.info.latencyMs;
      expect(sentAt - t.at).toBeGreaterThanOrEqual(t.info.waitedMs! - 5);
    }
  });

  it('reports transient failures for retry, and on the last receive dead-letters them with the reason', async () => {
    h = await simHarness({ faults: { errorRate: 1, errorStatus: 503 } });
    const api = h!.client({ maxAttempts: 2 });
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const body = conversationEvent(conv(3));
    const first: SqsRecord = { messageId: 'a', body, attributes: { ApproximateReceiveCount: '1' } };
    const last: SqsRecord = { messageId: 'b', body, attributes: { ApproximateReceiveCount: '5' } };
    const res = await processMetadataBatch([first, last], deps(api, store, queues));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    const [dead] = queues.messages(DLQ);
    expect(dead.attributes[ATTR.reason]).toMatch(
      /gave up after 5 receives: GET .*recordingmetadata: gave up after 2 attempts; last HTTP 503/,
    );
    expect(dead.attributes[ATTR.sourceMessageId]).toBe('b');
  });

  it('dead-letters a refused call (403) at once, and hands records back unstarted when the invocation runs short', async () => {
    const forbidden: RecordingsApi = {
      get: async () => ({
        status: 403,
        body: { code: 'missing.permissions', message: 'recording:recording:view' } as never,
        headers: new Headers(),
      }),
    };
    const queues = new MemoryQueues();
    const store = new MemoryObjectStore();
    const res = await processMetadataBatch([{ messageId: 'x', body: conversationEvent(conv(1)) }], deps(forbidden, store, queues));
    expect(res.batchItemFailures).toEqual([]);
    expect(queues.messages(DLQ)[0].attributes[ATTR.reason]).toMatch(/HTTP 403 \(missing\.permissions: recording:recording:view\)/);

    const never: RecordingsApi = {
      get: async () => {
        throw new GenesysApiError('should not be called', { method: 'GET', path: '/', attempts: 1 });
      },
    };
    const body = conversationEvent(conv(2));
    const res2 = await processMetadataBatch([{ messageId: 'y', body }], deps(never, store, queues, { remainingMs: () => 1000 }));
    expect(res2.batchItemFailures).toEqual([]);
    expect(queues.messages(Q).map((m) => m.body)).toEqual([body]);
  });

  it('keys metadata by conversation and recording', () => {
    expect(metadataKey('c1', 'r1')).toBe('metadata/c1/r1.json');
  });
});
