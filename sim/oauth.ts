/**
 * Authentication: the token endpoint (`POST /oauth/token`, client credentials with HTTP Basic or
 * form fields), the registered clients, the tokens issued and their expiry. Token requests count
 * against the per-client token creation limit only.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rateHeaders, throttledReply, tokenCreationCheck, type SimLimits } from './admission';
import { readBodyText, send, type Reply } from './http';
import type { FixedWindowLimiter } from './limiter';
import type { StatsCollector } from './stats';

export interface IssuedToken {
  readonly clientId: string;
  /** `<clientId>#<n>`: what stats and the request log show instead of the token. */
  readonly label: string;
  readonly expiresAt: number;
}

export interface TokenIssuerOptions {
  /** Registered clients, id to secret. */
  readonly clients: ReadonlyMap<string, string>;
  /** Any id and secret get a token (the pair is registered on first use). */
  readonly openRegistration: boolean;
  readonly tokenTtlSec: number;
  readonly limits: SimLimits;
  readonly limiter: FixedWindowLimiter;
  readonly stats: StatsCollector;
  readonly now: () => number;
  /** Whether a 429 loses its Retry-After headers (the no-retry-after fault). */
  readonly dropRetryAfter: () => boolean;
  /**
   * How a token request over the token-creation limit is refused: 400 (default) as Genesys Cloud
   * does, `invalid_request` with a "rate limit exceeded" description and no Retry-After; or 429
   * with Retry-After, the older behaviour.
   */
  readonly tokenThrottleStatus: TokenThrottleStatus;
  /** An injected token fault (tokenDropFirst, tokenLimitFirst); none by default. */
  readonly tokenFault?: () => 'drop' | Reply | undefined;
}

export type TokenThrottleStatus = 400 | 429;

/** The body Genesys Cloud's login service sends when a client creates tokens too fast. */
export const TOKEN_RATE_LIMITED_BODY = {
  error: 'invalid_request',
  description: 'rate limit exceeded; too many tokens requested for this client, try again later',
} as const;

export class TokenIssuer {
  private readonly clients: Map<string, string>;
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly issuedPerClient = new Map<string, number>();

  constructor(private readonly o: TokenIssuerOptions) {
    this.clients = new Map(o.clients);
  }

  addClient(id: string, secret: string): void {
    this.clients.set(id, secret);
  }

  /** The token of an `Authorization: Bearer …` header, expired or not; undefined when unknown or absent. */
  bearer(authorization: string): IssuedToken | undefined {
    return authorization.startsWith('Bearer ') ? this.tokens.get(authorization.slice(7).trim()) : undefined;
  }

  /** Answers `POST /oauth/token`. */
  async handle(req: IncomingMessage, res: ServerResponse, contextId: string): Promise<void> {
    const t = this.o.now();
    const fault = this.o.tokenFault?.();
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    const text = (await readBodyText(req)) ?? '';
    const form = new URLSearchParams(text);
    let id = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? '';
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      id = decoded.slice(0, i);
      secret = decoded.slice(i + 1);
    }
    // Token requests count under their endpoint only; byClient counts API calls (and tokensIssued).
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      this.o.stats.record({ status, endpoint: 'POST /oauth/token' }, t);
      send(res, { status, body, headers }, contextId);
    };
    if (fault) return reply(fault.status, fault.body, fault.headers);
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(400, { error: 'unsupported_grant_type', description: 'grant_type must be client_credentials' });
    }
    if (!this.clients.has(id) && this.o.openRegistration && id && secret) this.clients.set(id, secret);
    if (!id || this.clients.get(id) !== secret) return reply(401, { error: 'invalid_client', description: 'client id or secret is wrong' });
    const verdict = this.o.limiter.admit([tokenCreationCheck(this.o.limits, id)], t);
    if (!verdict.ok) {
      this.o.stats.tokenRefused(id);
      if (this.o.tokenThrottleStatus === 400) return reply(400, TOKEN_RATE_LIMITED_BODY);
      const r = throttledReply(verdict, contextId, this.o.dropRetryAfter());
      return reply(429, r.body, { ...r.headers, ...rateHeaders(verdict) });
    }
    const value = randomBytes(24).toString('base64url');
    const n = (this.issuedPerClient.get(id) ?? 0) + 1;
    this.issuedPerClient.set(id, n);
    this.tokens.set(value, { clientId: id, label: `${id}#${n}`, expiresAt: t + this.o.tokenTtlSec * 1000 });
    this.o.stats.tokenIssued(id);
    reply(200, { access_token: value, token_type: 'bearer', expires_in: this.o.tokenTtlSec }, rateHeaders(verdict));
  }
}
