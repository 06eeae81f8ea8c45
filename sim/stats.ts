import { PeakMeter } from './limiter';

/** Response counts of one token, client or endpoint. */
export interface Counts {
  requests: number;
  '2xx': number;
  '4xx': number;
  '429': number;
  '5xx': number;
  /** Most requests (any outcome) seen within one window-long span. */
  peakPerWindow: number;
}

export interface SimStats {
  /** Length of the simulated "minute" in real ms. */
  readonly minuteMs: number;
  readonly since: string;
  readonly totals: Counts;
  /** Keyed by token label (`<clientId>#<n>`), never by the token itself. */
  readonly byToken: Record<string, Counts & { clientId: string }>;
  readonly byClient: Record<string, Counts & { tokensIssued: number; tokenRequestsRefused: number }>;
  /** Keyed by `METHOD /path/template`; unknown paths by `METHOD (unknown)`. */
  readonly byEndpoint: Record<string, Counts>;
  readonly jobs: Record<string, number>;
}

class Counter {
  readonly counts: Counts = { requests: 0, '2xx': 0, '4xx': 0, '429': 0, '5xx': 0, peakPerWindow: 0 };
  private readonly meter: PeakMeter;

  constructor(windowMs: number) {
    this.meter = new PeakMeter(windowMs);
  }

  add(status: number, now: number): void {
    this.counts.requests++;
    if (status === 429) this.counts['429']++;
    else if (status >= 500) this.counts['5xx']++;
    else if (status >= 400) this.counts['4xx']++;
    else if (status >= 200 && status < 300) this.counts['2xx']++;
    this.meter.hit(now);
    this.counts.peakPerWindow = this.meter.peak;
  }
}

export class StatsCollector {
  private since: number;
  private totals: Counter;
  private readonly tokens = new Map<string, { clientId: string; c: Counter }>();
  private readonly clients = new Map<string, { tokensIssued: number; tokenRequestsRefused: number; c: Counter }>();
  private readonly endpoints = new Map<string, Counter>();

  constructor(
    private readonly windowMs: number,
    now: number,
  ) {
    this.since = now;
    this.totals = new Counter(windowMs);
  }

  record(req: { status: number; endpoint: string; clientId?: string; tokenLabel?: string }, now: number): void {
    this.totals.add(req.status, now);
    let ep = this.endpoints.get(req.endpoint);
    if (!ep) this.endpoints.set(req.endpoint, (ep = new Counter(this.windowMs)));
    ep.add(req.status, now);
    if (req.clientId !== undefined) this.client(req.clientId).c.add(req.status, now);
    if (req.tokenLabel !== undefined && req.clientId !== undefined) {
      let t = this.tokens.get(req.tokenLabel);
      if (!t) this.tokens.set(req.tokenLabel, (t = { clientId: req.clientId, c: new Counter(this.windowMs) }));
      t.c.add(req.status, now);
    }
  }

  tokenIssued(clientId: string): void {
    this.client(clientId).tokensIssued++;
  }

  /** A token request the token-creation limit refused (400 or 429). */
  tokenRefused(clientId: string): void {
    this.client(clientId).tokenRequestsRefused++;
  }

  private client(id: string) {
    let c = this.clients.get(id);
    if (!c) this.clients.set(id, (c = { tokensIssued: 0, tokenRequestsRefused: 0, c: new Counter(this.windowMs) }));
    return c;
  }

  snapshot(jobs: Record<string, number>): SimStats {
    const map = <V, R>(m: Map<string, V>, f: (v: V) => R): Record<string, R> => Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
    return {
      minuteMs: this.windowMs,
      since: new Date(this.since).toISOString(),
      totals: { ...this.totals.counts },
      byToken: map(this.tokens, (t) => ({ ...t.c.counts, clientId: t.clientId })),
      byClient: map(this.clients, (c) => ({ ...c.c.counts, tokensIssued: c.tokensIssued, tokenRequestsRefused: c.tokenRequestsRefused })),
      byEndpoint: map(this.endpoints, (c) => ({ ...c.counts })),
      jobs,
    };
  }

  reset(now: number): void {
    this.since = now;
    this.totals = new Counter(this.windowMs);
    this.tokens.clear();
    this.clients.clear();
    this.endpoints.clear();
  }
}
