import { processReportBatch, type JobsApi, type ReportJobsDeps } from '../../functions/report-jobs/worker';
import { parseReportMessage, reportKeys, MalformedReportMessageError } from '../../functions/report-jobs/messages';
import { MemoryQueues } from '../../functions/shared/memory-queue';
import { InvocationMetrics } from '../../functions/shared/metrics';
import { MemoryObjectStore } from '../../functions/shared/object-store';
import { ATTR } from '../../functions/shared/sqs';
import { ANALYTICS_AVAILABILITY_TOPIC } from '../../lib/contracts/topics';
import { drain, PARTNER, simHarness, type SimHarness } from './helpers';

const Q = 'https://sqs.test/report-jobs';
const DLQ = 'https://sqs.test/report-jobs-dlq';
const HOUR = 3600_000;
const iso = (t: number) => new Date(t).toISOString();
/** A finished test: the simulator's data lake is one hour behind, so this window is covered. */
const oldWindow = (testId: string) => ({ testId, interval: `${iso(Date.now() - 3 * HOUR)}/${iso(Date.now() - 2 * HOUR)}` });

function deps(api: JobsApi, store: MemoryObjectStore, queues: MemoryQueues, extra: Partial<ReportJobsDeps> = {}): ReportJobsDeps {
  return {
    api,
    store,
    sender: queues,
    queueUrl: Q,
    deadLetterQueueUrl: DLQ,
    maxReceiveCount: 5,
    metrics: new InvocationMetrics(),
    pageSize: 50,
    firstPollMs: 20,
    maxPollMs: 100,
    log: () => undefined,
    ...extra,
  };
}

const availabilityEvent = (date: number) =>
  JSON.stringify({
    'detail-type': ANALYTICS_AVAILABILITY_TOPIC,
    source: PARTNER,
    detail: { topicName: ANALYTICS_AVAILABILITY_TOPIC, eventBody: { dataAvailabilityDate: iso(date) } },
  });

describe('report-jobs messages', () => {
  it('reads end-of-test windows and availability events', () => {
    expect(
      parseReportMessage(JSON.stringify({ testId: 'example_abc', interval: '2026-11-23T10:00:00Z/2026-11-23T10:30:00.123Z' })),
    ).toMatchObject({
      kind: 'window',
      start: Date.parse('2026-11-23T10:00:00Z'),
      end: Date.parse('2026-11-23T10:30:00.123Z'),
    });
    expect(parseReportMessage(availabilityEvent(Date.parse('2026-11-23T09:00:00Z')))).toEqual({
      kind: 'availability',
      dataAvailabilityDate: Date.parse('2026-11-23T09:00:00Z'),
    });
  });

  it.each([
    ['{', /not JSON/],
    [JSON.stringify({ testId: '../x', interval: 'a/b' }), /testId must be/],
    [JSON.stringify({ testId: 't1' }), /interval is missing/],
    [JSON.stringify({ testId: 't1', interval: '2026-11-23' }), /must be "<start>\/<end>"/],
    [JSON.stringify({ testId: 't1', interval: '2026-11-23T10:00:00Z/2026-11-23T09:00:00Z' }), /ends before it starts/],
    [JSON.stringify({ 'detail-type': 'v2.audits.entitytype.{id}.entityid.{id}', detail: {} }), /is not v2\.analytics/],
  ])('rejects %s', (body, reason) => {
    expect(() => parseReportMessage(body)).toThrow(MalformedReportMessageError);
    expect(() => parseReportMessage(body)).toThrow(reason);
  });
});

describe('report-jobs worker against the simulator', () => {
  let h: SimHarness | undefined;
  afterEach(async () => {
    await h?.sim.stop();
    h = undefined;
  });

  it('submits one job, polls it, pages every result by cursor into analytics/, and never submits twice', async () => {
    h = await simHarness({ jobs: { queuedMs: 50, pendingMs: 150, resultCount: 120, defaultPageSize: 50 } });
    const api = h.client();
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const w = oldWindow('example_t1');
    await queues.send(Q, JSON.stringify(w));
    await queues.send(Q, JSON.stringify(w)); // redelivered / sent twice
    await drain(queues, Q, DLQ, (batch) => processReportBatch(batch, deps(api, store, queues)), { batchSize: 1 });

    const manifest = JSON.parse(store.objects.get(reportKeys.manifest('example_t1'))!);
    expect(manifest).toMatchObject({ testId: 'example_t1', interval: w.interval, pages: 3, conversations: 120 });
    const pages = manifest.pageKeys.map((k: string) => JSON.parse(store.objects.get(k)!));
    expect(pages.map((p: { conversations: unknown[] }) => p.conversations.length)).toEqual([50, 50, 20]);
    const ids = new Set(
      pages.flatMap((p: { conversations: { conversationId: string }[] }) => p.conversations.map((c) => c.conversationId)),
    );
    expect(ids.size).toBe(120);
    expect([...store.objects.keys()].every((k) => k.startsWith('analytics/'))).toBe(true);
    const stats = h.sim.stats();
    expect(stats.byEndpoint['POST /api/v2/analytics/conversations/details/jobs']?.requests).toBe(1);
    expect(stats.byEndpoint['POST /api/v2/analytics/conversations/details/query']).toBeUndefined();
    expect(stats.byEndpoint['GET /api/v2/analytics/conversations/details/jobs/{jobId}']!.requests).toBeGreaterThanOrEqual(2);
    expect(stats.byClient.worker.tokensIssued).toBe(1);
    expect(queues.size(DLQ)).toBe(0);
  });

  it('polls the job state with doubling waits, capped at maxPollMs', async () => {
    h = await simHarness({ jobs: { queuedMs: 150, pendingMs: 300, resultCount: 3 } });
    const api = h.client();
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      await new Promise((r) => setTimeout(r, ms));
    };
    await processReportBatch([{ messageId: 'p', body: JSON.stringify(oldWindow('example_poll')) }], deps(api, store, queues, { sleep }));
    expect(store.objects.has(reportKeys.manifest('example_poll'))).toBe(true);
    // 450 ms until FULFILLED: 20 + 40 + 80 + 100 + 100 + 100 + ... ms, never a fixed interval.
    expect(waits.length).toBeGreaterThanOrEqual(5);
    expect(waits.slice(0, 5)).toEqual([20, 40, 80, 100, 100]);
    expect(h.sim.stats().byEndpoint['GET /api/v2/analytics/conversations/details/jobs/{jobId}']!.requests).toBe(waits.length + 1);
  });

  it('waits for the data lake: parks the window, re-checks later, and the availability event releases it', async () => {
    h = await simHarness({ jobs: { queuedMs: 10, pendingMs: 20 } });
    const api = h.client();
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const fresh = { testId: 'example_fresh', interval: `${iso(Date.now() - 30 * 60_000)}/${iso(Date.now())}` };
    await processReportBatch([{ messageId: 'm1', body: JSON.stringify(fresh) }], deps(api, store, queues));
    expect(store.objects.has(reportKeys.pending('example_fresh'))).toBe(true);
    const [recheck] = queues.messages(Q);
    expect(recheck.attributes[ATTR.checks]).toBe('1');
    expect(h.sim.stats().byEndpoint['POST /api/v2/analytics/conversations/details/jobs']).toBeUndefined();

    // The data lake catches up: the event sends the window back to the queue at once.
    const q2 = new MemoryQueues();
    await processReportBatch([{ messageId: 'm2', body: availabilityEvent(Date.now() + HOUR) }], deps(api, store, q2));
    expect(q2.messages(Q).map((m) => JSON.parse(m.body))).toEqual([fresh]);
    // An earlier availability date releases nothing.
    const q3 = new MemoryQueues();
    await processReportBatch([{ messageId: 'm3', body: availabilityEvent(Date.now() - 2 * HOUR) }], deps(api, store, q3));
    expect(q3.size(Q)).toBe(0);
  });

  it('dead-letters a failed job with its reason and forgets it so a redrive submits a new one', async () => {
    h = await simHarness({ faults: { jobFailureRate: 1 }, jobs: { queuedMs: 10, pendingMs: 20 } });
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    await queues.send(Q, JSON.stringify(oldWindow('example_fail')));
    await drain(queues, Q, DLQ, (batch) => processReportBatch(batch, deps(h!.client(), store, queues)));
    const [dead] = queues.messages(DLQ);
    expect(dead.attributes[ATTR.reason]).toMatch(/job .* for example_fail ended FAILED: Simulated job failure/);
    expect(store.objects.has(reportKeys.job('example_fail'))).toBe(false);
  });

  it('re-enqueues instead of polling past its time, and resumes with the same job', async () => {
    h = await simHarness({ jobs: { queuedMs: 100, pendingMs: 300 } });
    const api = h.client();
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues({ msPerDelaySecond: 100 });
    await queues.send(Q, JSON.stringify(oldWindow('example_slow')));
    let short = 0;
    await drain(queues, Q, DLQ, (batch) =>
      // Every invocation has only 25 ms of polling left: it must hand the job over to a later one.
      processReportBatch(batch, deps(api, store, queues, { remainingMs: () => (short++, 30_025), reserveMs: 30_000 })),
    );
    expect(short).toBeGreaterThan(1);
    expect(store.objects.has(reportKeys.manifest('example_slow'))).toBe(true);
    expect(h.sim.stats().byEndpoint['POST /api/v2/analytics/conversations/details/jobs']!.requests).toBe(1);
  });

  it('does not resubmit a job whose submission timed out (it may have been applied); SQS retries the message', async () => {
    // Every job submission is processed, then answered after 400 ms: past the client's 150 ms timeout.
    h = await simHarness({
      faults: { stallRate: 1, stallMs: 400, onlyEndpoints: ['POST /api/v2/analytics/conversations/details/jobs'] },
    });
    const store = new MemoryObjectStore();
    const queues = new MemoryQueues();
    const metrics = new InvocationMetrics();
    const logs: Record<string, unknown>[] = [];
    const res = await processReportBatch(
      [{ messageId: 'slow', body: JSON.stringify(oldWindow('example_stall')) }],
      deps(h.client({ timeoutMs: 150 }), store, queues, { metrics, log: (e) => logs.push(e) }),
    );
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'slow' }]);
    const posts = h.sim.requests().filter((e) => e.endpoint === 'POST /api/v2/analytics/conversations/details/jobs');
    expect(posts).toHaveLength(1);
    expect(logs.some((e) => e.msg === 'job submission outcome unknown; retried with the message')).toBe(true);
    expect(metrics.get('JobSubmissionsUnknown')).toBe(1);
  });

  it('dead-letters malformed messages with the reason', async () => {
    h = await simHarness();
    const queues = new MemoryQueues();
    const res = await processReportBatch(
      [{ messageId: 'bad', body: JSON.stringify({ testId: 't', interval: 'yesterday' }) }],
      deps(h.client(), new MemoryObjectStore(), queues),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(queues.messages(DLQ)[0].attributes[ATTR.reason]).toMatch(/^malformed message: interval "yesterday"/);
  });
});
