import { randomUUID } from 'node:crypto';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/server';
import { createGenesysClient, type GenesysApiClient, type ResponseInfo } from '../../lib/genesys-client';
import { MemoryQueues } from '../../functions/shared/memory-queue';
import type { SqsBatchResponse, SqsRecord } from '../../functions/shared/sqs';

export const PARTNER = 'aws.partner/genesys.com/cloud/3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b/loadlab-test';

/** An EventBridge event exactly as the Genesys Cloud integration delivers it to SQS. */
export function conversationEvent(conversationId: string, event = 'customer.end', bodyOverrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': `v2.detail.events.conversation.{id}.${event}`,
    source: PARTNER,
    account: '111122223333',
    time: '2026-11-23T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      topicName: `v2.detail.events.conversation.${conversationId}.${event}`,
      version: '2',
      eventBody: { conversationId, eventTime: 1795428000000, participantId: randomUUID(), mediaType: 'VOICE', ...bodyOverrides },
      metadata: { CorrelationId: randomUUID() },
    },
  });
}

export interface SimHarness {
  readonly sim: Simulator;
  /** A paced client; `ratePerSimMinute` is in the simulator's compressed minutes. */
  client(opts?: {
    ratePerSimMinute?: number;
    onResponse?: (i: ResponseInfo) => void;
    maxAttempts?: number;
    timeoutMs?: number;
  }): GenesysApiClient;
}

export async function simHarness(options: SimulatorOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator({ minuteMs: 1000, clients: [{ id: 'worker', secret: 'worker-secret' }], ...options });
  const minuteMs = sim.minuteMs;
  return {
    sim,
    client: (o = {}) =>
      createGenesysClient({
        apiBase: sim.apiBase,
        loginBase: sim.loginBase,
        clientId: 'worker',
        clientSecret: 'worker-secret',
        ratePerMinute: ((o.ratePerSimMinute ?? 200) * 60_000) / minuteMs,
        backoff: { baseMs: 10, maxMs: 100 },
        maxAttempts: o.maxAttempts ?? 8,
        timeoutMs: o.timeoutMs,
        onResponse: o.onResponse,
      }),
  };
}

/**
 * Drives a queue the way the SQS event source mapping does: batches to the worker, partial
 * failures settled, delayed messages waited for, until the queue is empty.
 */
export async function drain(
  queues: MemoryQueues,
  queueUrl: string,
  deadLetterUrl: string,
  /** `lane` (0 .. concurrency - 1) plays one concurrent Lambda invocation. */
  process: (batch: SqsRecord[], lane: number) => Promise<SqsBatchResponse>,
  opts: { batchSize?: number; concurrency?: number; retryAfterMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const lane = async (_: unknown, index: number): Promise<void> => {
    while (queues.size(queueUrl) > 0) {
      if (Date.now() > deadline)
        throw new Error(`drain: ${queues.size(queueUrl)} message(s) still queued after ${opts.timeoutMs ?? 30_000} ms`);
      const batch = queues.receive(queueUrl, opts.batchSize ?? 10);
      if (batch.length === 0) {
        await new Promise((r) => setTimeout(r, Math.min(50, queues.nextVisibleInMs(queueUrl) ?? 10)));
        continue;
      }
      const res = await process(batch, index);
      queues.settle(queueUrl, batch, res, deadLetterUrl, opts.retryAfterMs ?? 0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, lane));
}
