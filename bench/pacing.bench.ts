/**
 * `npm run bench -- --only pacing` (or `npx tsx bench/pacing.bench.ts [--quick]`): the metadata
 * worker as deployed (the planner's concurrency, one token and one paced bucket per invocation,
 * batches of 10 records fetched concurrently) against a simulator whose per-token limit is TIGHTER
 * than the plan, with faults: 429s with and without Retry-After, 503s, calls answered after the
 * client's timeout, and duplicate event deliveries. Checked from the simulator's request log:
 * requests sent on a token while a 429 on it asked to wait (target 0), calls answered 429
 * (target <= 5 %), events lost (0) and archive objects written twice (0), over >= 1000 events.
 * The same run with the pre-fix token bucket (a pause only delayed later callers) is printed for
 * comparison; its figures are not targets.
 */
import { randomUUID } from 'node:crypto';
import { loadEnvironment } from '../lib/config';
import { planBudget } from '../lib/ratelimits';
import { GenesysApiClient, ClientCredentialsTokenProvider, TokenBucket, type ResponseInfo } from '../lib/genesys-client';
import { pausedTokenViolations } from '../sim/request-log';
import { startSimulator } from '../sim/server';
import { processMetadataBatch } from '../functions/metadata-worker/worker';
import { MemoryQueues } from '../functions/shared/memory-queue';
import { InvocationMetrics } from '../functions/shared/metrics';
import { MemoryObjectStore } from '../functions/shared/object-store';
import type { SqsRecord } from '../functions/shared/sqs';
import { runStandalone, type BenchOptions, type BenchResult } from './types';
import { conversationEndEvent, PreFixBucket } from './fixtures';

const Q = 'memory://metadata';
const DLQ = 'memory://metadata-dlq';
const CLIENT = { id: 'metadata-worker', secret: 'bench-secret' };

/** The plan paces each token at 240/min (300 less 20 % headroom); this org allows 150. */
const SIM_PER_TOKEN = 150;
const FAULTS = { missingRetryAfterRate: 1 / 3, errorRate: 0.02, stallRate: 0.005 };
const DUPLICATE_SHARE = 0.05;

export interface Figures {
  readonly label: string;
  readonly events: number;
  readonly deliveries: number;
  readonly calls: number;
  readonly throttled: number;
  readonly throttledNoRetryAfter: number;
  /** 429s the clients received (the rest timed out first): the pauses the check below holds them to. */
  readonly throttledReceived: number;
  readonly serverErrors: number;
  readonly timeouts: number;
  readonly pausedTokenRequests: number;
  readonly lost: number;
  readonly deadLettered: number;
  readonly duplicateWrites: number;
  readonly seconds: number;
}

/** Queues one conversation-end event per conversation, some twice; returns the deliveries made. */
async function enqueueConversations(queues: MemoryQueues, conversations: readonly string[]): Promise<number> {
  let deliveries = 0;
  for (const [i, c] of conversations.entries()) {
    await queues.send(Q, conversationEndEvent(c));
    deliveries++;
    // EventBridge and SQS deliver at least once: some events arrive twice.
    if (i % Math.round(1 / DUPLICATE_SHARE) === 0) {
      await queues.send(Q, conversationEndEvent(c));
      deliveries++;
    }
  }
  return deliveries;
}

interface Lane {
  readonly api: GenesysApiClient;
  readonly store: MemoryObjectStore;
  readonly metrics: InvocationMetrics;
  readonly batchSize: number;
  readonly maxReceiveCount: number;
}

/** One invocation lane: receives and processes batches until the queue is empty or the deadline passes. */
async function drainLane(queues: MemoryQueues, deadline: number, lane: Lane): Promise<void> {
  while (queues.size(Q) > 0 && Date.now() < deadline) {
    const batch: SqsRecord[] = queues.receive(Q, lane.batchSize);
    if (batch.length === 0) {
      await new Promise((r) => setTimeout(r, Math.min(20, queues.nextVisibleInMs(Q) ?? 5)));
      continue;
    }
    const res = await processMetadataBatch(batch, {
      api: lane.api,
      store: lane.store,
      sender: queues,
      queueUrl: Q,
      deadLetterQueueUrl: DLQ,
      maxReceiveCount: lane.maxReceiveCount,
      metrics: lane.metrics,
      log: () => undefined,
    });
    queues.settle(Q, batch, res, DLQ, 50);
  }
}

/** One run of the scenario (exported for the test that asserts the same targets). */
export async function runOnce(
  label: string,
  bucketFor: (ratePerMinute: number) => TokenBucket,
  total: number,
  minuteMs: number,
  log: (l: string) => void,
): Promise<Figures> {
  const env = loadEnvironment('example');
  const plan = planBudget(env.config).metadataWorker;
  const lanes = plan.concurrency;
  const perInvocationPerWindow = plan.requestsPerMinutePerInvocation;
  // Real seconds: the SDKs' 3 s default and the 30 s timeout, compressed like the window.
  const scale = minuteMs / 60_000;
  const defaultRetryAfterSec = 3 * scale;
  const timeoutMs = Math.max(300, 12_000 * scale);
  const sim = await startSimulator({
    minuteMs,
    clients: [CLIENT],
    limits: { perToken: SIM_PER_TOKEN },
    faults: { ...FAULTS, stallMs: timeoutMs * 1.5 },
    conversations: { recordingsPerConversation: 1 },
    seed: 14,
  });
  try {
    const queues = new MemoryQueues({ msPerDelaySecond: scale * 1000 });
    const store = new MemoryObjectStore();
    const metrics = new InvocationMetrics();
    const conversations = Array.from({ length: total }, () => randomUUID());
    const deliveries = await enqueueConversations(queues, conversations);
    const attempts: ResponseInfo[] = [];
    const clients = Array.from({ length: lanes }, () => {
      const tokens = new ClientCredentialsTokenProvider({ loginBase: sim.loginBase, clientId: CLIENT.id, clientSecret: CLIENT.secret });
      return new GenesysApiClient({
        apiBase: sim.apiBase,
        tokens,
        bucket: bucketFor((perInvocationPerWindow * 60_000) / minuteMs),
        defaultRetryAfterSec,
        timeoutMs,
        backoff: { baseMs: 500 * scale, maxMs: 30_000 * scale },
        onResponse: (i) => {
          attempts.push(i);
          metrics.onResponse(i);
        },
      });
    });
    const started = Date.now();
    const timer = setInterval(() => {
      const s = sim.stats().totals;
      log(
        `  ${label}: ${total - queues.size(Q)}/${total} queued events done, ${s.requests} calls, ${s['429']} x 429, ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }, 2000);
    const deadline = started + 10 * 60_000;
    try {
      await Promise.all(
        clients.map((api) =>
          drainLane(queues, deadline, {
            api,
            store,
            metrics,
            batchSize: env.config.pipeline.batchSize,
            maxReceiveCount: env.config.pipeline.maxReceiveCount,
          }),
        ),
      );
    } finally {
      clearInterval(timer);
    }
    const seconds = (Date.now() - started) / 1000;
    const requests = sim.requests();
    const archived = new Set([...store.objects.keys()].map((k) => k.split('/')[1]));
    if (process.env.BENCH_PACING_DEBUG) log(JSON.stringify(sim.stats().byEndpoint));
    return {
      label,
      events: total,
      deliveries,
      calls: requests.length,
      throttled: requests.filter((r) => r.status === 429).length,
      throttledNoRetryAfter: requests.filter((r) => r.status === 429 && r.retryAfterMs === null).length,
      throttledReceived: attempts.filter((a) => a.status === 429).length,
      serverErrors: requests.filter((r) => r.status >= 500).length,
      timeouts: attempts.filter((a) => a.error === 'timeout').length,
      pausedTokenRequests: pausedTokenViolations(requests, attempts, { defaultRetryAfterMs: defaultRetryAfterSec * 1000 }).length,
      lost: conversations.filter((c) => !archived.has(c)).length,
      deadLettered: queues.size(DLQ),
      // MemoryObjectStore lists every successful write: a key listed twice was archived twice.
      duplicateWrites: store.writes.length - new Set(store.writes).size,
      seconds,
    };
  } finally {
    await sim.stop();
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const total = options.quick ? 1000 : Number(process.env.BENCH_PACING_EVENTS ?? 2000);
  const minuteMs = Number(process.env.BENCH_PACING_MINUTE_MS ?? 4000);
  options.log(
    `  ${total} events (+${DUPLICATE_SHARE * 100} % delivered twice), window ${minuteMs} ms, simulator ${SIM_PER_TOKEN}/token per window vs the plan's 240; faults ${JSON.stringify(FAULTS)}`,
  );
  const fixed = await runOnce('paced worker', (rate) => new TokenBucket({ ratePerMinute: rate }), total, minuteMs, options.log);
  const before = await runOnce('pre-fix bucket', (rate) => new PreFixBucket({ ratePerMinute: rate }), total, minuteMs, options.log);
  const pct = (n: number, d: number) => `${((n / Math.max(1, d)) * 100).toFixed(2)} %`;
  const row = (f: Figures) =>
    `  ${f.label.padEnd(15)} ${String(f.calls).padStart(6)} ${pct(f.throttled, f.calls).padStart(8)} ${String(f.throttledNoRetryAfter).padStart(6)} ${String(f.serverErrors).padStart(5)} ${String(f.timeouts).padStart(8)} ${String(f.pausedTokenRequests).padStart(7)} ${String(f.lost).padStart(5)} ${String(f.deadLettered).padStart(4)} ${String(f.duplicateWrites).padStart(9)} ${f.seconds.toFixed(1).padStart(6)} s`;
  const met =
    fixed.pausedTokenRequests === 0 &&
    fixed.throttled / Math.max(1, fixed.calls) <= 0.05 &&
    fixed.lost === 0 &&
    fixed.duplicateWrites === 0 &&
    fixed.events >= 1000;
  return {
    name: 'pacing',
    lines: [
      `metadata worker on a token limit tighter than the plan, ${total} events (${fixed.deliveries} deliveries), ${minuteMs} ms window:`,
      `  ${'client'.padEnd(15)} ${'calls'.padStart(6)} ${'429'.padStart(8)} ${'no-RA'.padStart(6)} ${'5xx'.padStart(5)} ${'timeouts'.padStart(8)} ${'paused'.padStart(7)} ${'lost'.padStart(5)} ${'DLQ'.padStart(4)} ${'dup.write'.padStart(9)} ${'time'.padStart(8)}`,
      row(fixed),
      row(before),
      '  paused = requests sent on a token before its Retry-After (or the default) had passed, from the simulator request log',
      `  targets (paced worker): 0 paused, <= 5 % 429, 0 lost, 0 duplicate writes, >= 1000 events: ${met ? 'met' : 'MISSED'}`,
    ],
    targetsMet: met,
  };
}

if (require.main === module) runStandalone('pacing', run);
