import type { MessageSender, SendOptions, SqsBatchResponse, SqsRecord } from './sqs';

interface Stored {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  visibleAt: number;
  receiveCount: number;
  inFlight: boolean;
}

export interface MemoryQueuesOptions {
  readonly now?: () => number;
  /** Real ms per second of SQS delay, so tests and benchmarks can compress re-check delays. Default 1000. */
  readonly msPerDelaySecond?: number;
  /** Receives before a message a worker reported as failed moves to the dead-letter queue. Default 5. */
  readonly maxReceiveCount?: number;
}

/**
 * SQS as the workers see it, in memory: delayed sends, batches with receive counts, partial batch
 * failures, and redrive to a dead-letter queue after `maxReceiveCount`. Lets tests and the
 * benchmark run the real worker code through the same message lifecycle as in AWS.
 */
export class MemoryQueues implements MessageSender {
  private readonly queues = new Map<string, Stored[]>();
  private readonly now: () => number;
  private readonly msPerDelaySecond: number;
  private readonly maxReceiveCount: number;
  private seq = 0;

  constructor(opts: MemoryQueuesOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.msPerDelaySecond = opts.msPerDelaySecond ?? 1000;
    this.maxReceiveCount = opts.maxReceiveCount ?? 5;
  }

  private q(url: string): Stored[] {
    let q = this.queues.get(url);
    if (!q) this.queues.set(url, (q = []));
    return q;
  }

  async send(queueUrl: string, body: string, options: SendOptions = {}): Promise<void> {
    this.q(queueUrl).push({
      messageId: `m-${++this.seq}`,
      body,
      attributes: { ...(options.attributes ?? {}) },
      visibleAt: this.now() + (options.delaySeconds ?? 0) * this.msPerDelaySecond,
      receiveCount: 0,
      inFlight: false,
    });
  }

  /** Up to `max` visible messages as Lambda would receive them; they stay in flight until `settle`. */
  receive(queueUrl: string, max: number): SqsRecord[] {
    const t = this.now();
    const out: SqsRecord[] = [];
    for (const m of this.q(queueUrl)) {
      if (out.length >= max) break;
      if (m.inFlight || m.visibleAt > t) continue;
      m.inFlight = true;
      m.receiveCount++;
      out.push({
        messageId: m.messageId,
        body: m.body,
        attributes: { ApproximateReceiveCount: String(m.receiveCount) },
        messageAttributes: Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }])),
      });
    }
    return out;
  }

  /**
   * What the event source mapping does with a worker's answer: deletes the batch except the
   * reported failures, which become visible again after `retryAfterMs` or, on their last
   * receive, move to `deadLetterUrl` (as SQS redrive does: no reason attached).
   */
  settle(queueUrl: string, batch: readonly SqsRecord[], response: SqsBatchResponse, deadLetterUrl: string, retryAfterMs = 0): void {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const q = this.q(queueUrl);
    for (const r of batch) {
      const i = q.findIndex((m) => m.messageId === r.messageId);
      if (i < 0) continue;
      const m = q[i];
      if (!failed.has(r.messageId)) {
        q.splice(i, 1);
      } else if (m.receiveCount >= this.maxReceiveCount) {
        q.splice(i, 1);
        this.q(deadLetterUrl).push({ ...m, inFlight: false });
      } else {
        m.inFlight = false;
        m.visibleAt = this.now() + retryAfterMs;
      }
    }
  }

  /** Messages currently stored (visible, delayed or in flight). */
  size(queueUrl: string): number {
    return this.q(queueUrl).length;
  }

  /** Milliseconds until the next stored message becomes visible (0 = now; undefined = none). */
  nextVisibleInMs(queueUrl: string): number | undefined {
    const pending = this.q(queueUrl).filter((m) => !m.inFlight);
    if (pending.length === 0) return undefined;
    return Math.max(0, Math.min(...pending.map((m) => m.visibleAt)) - this.now());
  }

  /** Bodies and attributes of the stored messages (e.g. a DLQ's, with their reasons). */
  messages(queueUrl: string): { body: string; attributes: Readonly<Record<string, string>>; receiveCount: number }[] {
    return this.q(queueUrl).map((m) => ({ body: m.body, attributes: m.attributes, receiveCount: m.receiveCount }));
  }
}
