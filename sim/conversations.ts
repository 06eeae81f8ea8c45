/**
 * The conversations the simulator knows: which exist (all, or only the listed ones when strict),
 * when each was first seen, and whether its recordings are available yet.
 */
import { errorReply, type Reply } from './http';

export interface ConversationOptions {
  /** Conversations that exist; with `strict`, other ids are 404. */
  readonly ids?: readonly string[];
  readonly strict?: boolean;
  /** Recordings per conversation (first audio, then screen). Default 2. */
  readonly recordingsPerConversation?: number;
}

export class Conversations {
  private readonly seen = new Map<string, number>();
  private readonly known: ReadonlySet<string>;
  readonly recordingsPerConversation: number;

  /** `recordingsDelayMs`: how long after a conversation is first seen its recordings stay 404. */
  constructor(
    private readonly options: ConversationOptions = {},
    private readonly recordingsDelayMs: () => number,
  ) {
    this.known = new Set(options.ids ?? []);
    this.recordingsPerConversation = options.recordingsPerConversation ?? 2;
  }

  /** Null when the conversation (or its recordings) may be served, else the 404 reply. */
  gate(id: string, now: number, what: 'recordings' | 'conversation'): Reply | null {
    if (this.options.strict && !this.known.has(id)) return errorReply(404, 'not.found', `Conversation ${id} not found`);
    if (!this.seen.has(id)) this.seen.set(id, now);
    if (what === 'recordings' && now - this.seen.get(id)! < this.recordingsDelayMs()) {
      return errorReply(404, 'not.found', `Recordings for conversation ${id} are not available yet`);
    }
    return null;
  }

  /** Forgets when conversations were first seen. */
  clear(): void {
    this.seen.clear();
  }
}
