/**
 * Which Genesys Cloud notification topics feed which queue. A contract, pure data and functions:
 * the EventPipeline construct builds its rules from it and the workers classify events with it.
 * Topic patterns are written as Genesys writes them in the EventBridge `detail-type`, e.g.
 * `v2.detail.events.conversation.{id}.customer.end`.
 */
export const ANALYTICS_AVAILABILITY_TOPIC = 'v2.analytics.conversations.details.jobs.availability';

const CONVERSATION_DETAIL = /^v2\.detail\.events\.conversation\.\{id\}\.([a-z.]+)$/;

/**
 * Conversation detail events after which a conversation's recordings can be fetched: a party left
 * or wrap-up began. `*.start`, `attributes`, `contact`, `outbound` do not end anything.
 */
export const CONVERSATION_END_EVENTS: readonly string[] = [
  'customer.end',
  'user.end',
  'acw',
  'wrapup',
  'acd.end',
  'voicemail.end',
  'flow.end',
];

/** The conversation-ending topic patterns among the configured ones (they feed the metadata queue). */
export function metadataTopics(topics: readonly string[]): string[] {
  return topics.filter((t) => {
    const m = CONVERSATION_DETAIL.exec(t);
    return m !== null && CONVERSATION_END_EVENTS.includes(m[1]);
  });
}

/** Whether the analytics availability topic is configured (it feeds the report-jobs queue). */
export function reportTopics(topics: readonly string[]): string[] {
  return topics.filter((t) => t === ANALYTICS_AVAILABILITY_TOPIC);
}

/** The conversation id and event name in a concrete topic (`v2.detail.events.conversation.<uuid>.customer.end`). */
export function parseConversationTopic(topicName: string): { conversationId: string; event: string } | undefined {
  const m = /^v2\.detail\.events\.conversation\.([^.]+)\.([a-z.]+)$/.exec(topicName);
  return m ? { conversationId: m[1], event: m[2] } : undefined;
}
