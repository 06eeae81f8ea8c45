import type { InjectedFault } from './http';

/**
 * The simulator's request log: one entry per API request, in arrival order, so tests and
 * benchmarks can check what reached the "platform" and when, e.g. that no request used a token
 * while a 429 on that token asked it to wait (`pausedTokenViolations`).
 */
export interface RequestLogEntry {
  /** 1, 2, 3 ... in arrival order (keeps counting across `reset`). */
  readonly seq: number;
  /** Arrival time (ms on the simulator's clock). */
  readonly at: number;
  /** When the response was written (after any injected latency or stall). */
  respondedAt?: number;
  readonly method: string;
  /** `METHOD /path/template`, or `METHOD (unknown)`. */
  readonly endpoint: string;
  /** The concrete path, without the query. */
  readonly path: string;
  status: number;
  readonly clientId?: string;
  /** Token label (`<clientId>#<n>`), never the token itself. */
  readonly token?: string;
  /** 429 only: the exact wait the simulator asked for in ms; `null` when the fault dropped the headers. */
  retryAfterMs?: number | null;
  /** Limit name of a 429 the rate limits gave (absent for an injected one). */
  limit?: string;
  /** The fault that made this reply (`throttleRate`: an injected 429, `errorRate`: an injected 5xx); absent for real answers. */
  injected?: InjectedFault;
  /** The `inin-correlation-id` the simulator answered with. */
  readonly correlationId: string;
}

/** Bounded in memory: the oldest entries go first once `max` is reached. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  /** Entries dropped because the log was full. */
  dropped = 0;

  constructor(private readonly max = 200_000) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const e: RequestLogEntry = { ...entry, seq: ++this.seq };
    this.entries.push(e);
    if (this.entries.length > this.max) {
      const extra = this.entries.length - this.max;
      this.entries.splice(0, extra);
      this.dropped += extra;
    }
    return e;
  }

  /** Entries with `seq` > `since` (all by default), as copies. */
  list(since = 0): RequestLogEntry[] {
    return this.entries.filter((e) => e.seq > since).map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
  }
}

/** What the client side knows about one attempt (`ResponseInfo` of lib/genesys-client carries these). */
export interface ClientAttempt {
  readonly correlationId?: string;
  /** When the attempt was sent (same clock as the simulator). */
  readonly sentAt?: number;
  readonly latencyMs: number;
  readonly status: number;
}

export interface PauseViolation {
  /** The 429 that started the pause. */
  readonly throttled: RequestLogEntry;
  readonly pauseStart: number;
  readonly pauseEnd: number;
  /** A request on the same token sent inside the pause. */
  readonly request: RequestLogEntry;
  readonly sentAt: number;
}

/**
 * Requests sent on a token while a 429 on that token asked it to wait. The pause starts when the
 * client received the 429 (a request already sent then cannot be recalled) and ends when the
 * simulator's window ends (`at + retryAfterMs`), or `defaultRetryAfterMs` after receipt when the
 * 429 came without Retry-After. Send and receipt times come from the client's attempts, joined
 * on the correlation id; a request without a joined attempt (no response: a timeout) counts with
 * its arrival time, which is never earlier than its send time. A 429 no attempt joins was never
 * received (the client gave up first: its timeout fired while a busy machine was still writing the
 * answer), so it starts no pause: a client cannot honour an answer it never got.
 */
export function pausedTokenViolations(
  log: readonly RequestLogEntry[],
  attempts: readonly ClientAttempt[],
  opts: { readonly defaultRetryAfterMs: number },
): PauseViolation[] {
  const byCorrelation = new Map<string, ClientAttempt>();
  for (const a of attempts) if (a.correlationId) byCorrelation.set(a.correlationId, a);
  const byToken = new Map<string, RequestLogEntry[]>();
  for (const e of log) {
    if (!e.token) continue;
    let list = byToken.get(e.token);
    if (!list) byToken.set(e.token, (list = []));
    list.push(e);
  }
  const sentAt = (e: RequestLogEntry): number => byCorrelation.get(e.correlationId)?.sentAt ?? e.at;
  const violations: PauseViolation[] = [];
  for (const entries of byToken.values()) {
    for (const t of entries) {
      if (t.status !== 429) continue;
      const client = byCorrelation.get(t.correlationId);
      if (!client) continue;
      // Receipt: as reported by the client; else the moment the simulator answered (earliest possible).
      const pauseStart = client.sentAt !== undefined ? client.sentAt + client.latencyMs : (t.respondedAt ?? t.at);
      const pauseEnd = typeof t.retryAfterMs === 'number' ? t.at + t.retryAfterMs : pauseStart + opts.defaultRetryAfterMs;
      for (const r of entries) {
        if (r === t) continue;
        const s = sentAt(r);
        if (s >= pauseStart && s < pauseEnd) violations.push({ throttled: t, pauseStart, pauseEnd, request: r, sentAt: s });
      }
    }
  }
  return violations;
}
