import { parseConversationTopic, CONVERSATION_END_EVENTS } from '../../lib/contracts/topics';

/** A message that can never succeed, whatever the retries: it goes to the DLQ with `reason`. */
export class MalformedEventError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MalformedEventError';
  }
}

export type MetadataEvent =
  | { readonly kind: 'conversation-end'; readonly conversationId: string; readonly topicName: string; readonly eventTime?: string }
  | { readonly kind: 'ignored'; readonly topicName: string; readonly why: string };

/** Conversation and recording ids go into URL paths and S3 keys: letters, digits and dashes only. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the EventBridge envelope Genesys Cloud sends (`detail-type` = topic pattern,
 * `detail.topicName` = concrete topic, `detail.eventBody`) out of an SQS message body.
 * Throws MalformedEventError with a reason a human can act on.
 */
export function parseMetadataEvent(body: string): MetadataEvent {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch (err) {
    throw new MalformedEventError(`body is not JSON (${(err as Error).message})`);
  }
  if (!isObject(envelope)) throw new MalformedEventError('body is not a JSON object (expected an EventBridge event)');
  const detailType = envelope['detail-type'];
  if (typeof detailType !== 'string' || detailType === '')
    throw new MalformedEventError('missing "detail-type" (expected a Genesys topic pattern)');
  const detail = envelope.detail;
  if (!isObject(detail)) throw new MalformedEventError('missing "detail" object');
  const topicName = detail.topicName;
  if (typeof topicName !== 'string' || topicName === '') throw new MalformedEventError('missing detail.topicName');
  const eventBody = detail.eventBody;
  if (!isObject(eventBody)) throw new MalformedEventError(`detail.eventBody of ${topicName} is not an object`);
  const topic = parseConversationTopic(topicName);
  if (!topic) throw new MalformedEventError(`detail.topicName ${JSON.stringify(topicName)} is not a conversation detail event topic`);
  if (!CONVERSATION_END_EVENTS.includes(topic.event)) {
    return { kind: 'ignored', topicName, why: `${topic.event} does not end a conversation` };
  }
  const fromBody = eventBody.conversationId;
  if (fromBody !== undefined && typeof fromBody !== 'string')
    throw new MalformedEventError('detail.eventBody.conversationId is not a string');
  if (fromBody !== undefined && fromBody !== topic.conversationId) {
    throw new MalformedEventError(`detail.eventBody.conversationId ${fromBody} differs from the topic's ${topic.conversationId}`);
  }
  const conversationId = fromBody ?? topic.conversationId;
  if (!SAFE_ID.test(conversationId)) throw new MalformedEventError(`conversation id ${JSON.stringify(conversationId)} is not a valid id`);
  // Detail events carry eventTime as epoch ms; fall back to the envelope's time.
  const raw = eventBody.eventTime;
  const eventTime =
    typeof raw === 'number' && Number.isFinite(raw)
      ? new Date(raw).toISOString()
      : typeof raw === 'string'
        ? raw
        : typeof envelope.time === 'string'
          ? envelope.time
          : undefined;
  return { kind: 'conversation-end', conversationId, topicName, eventTime };
}

/** The archive key of one recording's metadata (results bucket, `metadata/` prefix). */
export function metadataKey(conversationId: string, recordingId: string): string {
  return `metadata/${conversationId}/${recordingId}.json`;
}
