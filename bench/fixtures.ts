import { randomUUID } from 'node:crypto';
import { TokenBucket } from '../lib/genesys-client';

/**
 * The token bucket as it was before the pacing fix: the sleep was computed before waiting, so a
 * 429's pause only delayed later callers. Kept to show (bench) and prove (tests) what the fix changed.
 */
export class PreFixBucket extends TokenBucket {
  private next = Number.NEGATIVE_INFINITY;
  override async take(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(this.next, now);
    this.next = slot + this.intervalMs;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }
  override deferUntil(time: number): void {
    this.next = Math.max(this.next, time);
  }
}

/** A conversation-end event as the EventBridge integration delivers it, for the metadata worker. */
export function conversationEndEvent(conversationId: string): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'v2.detail.events.conversation.{id}.customer.end',
    source: 'aws.partner/genesys.com/cloud/bench/loadlab-bench',
    detail: {
      topicName: `v2.detail.events.conversation.${conversationId}.customer.end`,
      eventBody: { conversationId, eventTime: Date.now() },
    },
  });
}
