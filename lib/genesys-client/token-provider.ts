import { isTokenRateLimited, TokenRequestError } from './errors';
import { joinUrl, parseRetryAfter, readBody } from './http';
import { realSleep } from './token-bucket';

/** One token request refused by the token-creation limit (HTTP 400 `rate limit exceeded`, or 429). */
export interface TokenThrottleInfo {
  readonly clientId: string;
  /** 400 (the platform's form) or 429 (the older form). */
  readonly status: number;
  readonly attempt: number;
  /** The wait before the next attempt; undefined when attempts are exhausted. */
  readonly waitedMs?: number;
  /** Seconds the `Retry-After` header asked for, when there was one. */
  readonly retryAfterSec?: number;
}

export interface ClientCredentialsTokenProviderOptions {
  /** `https://login.<domain>` (or the simulator's URL). */
  readonly loginBase: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Fetch a new token this many seconds before the current one expires. Default 60. */
  readonly refreshBeforeExpirySec?: number;
  /** Attempts per token request when the token endpoint throttles or fails. Default 8. */
  readonly maxAttempts?: number;
  /**
   * Backoff after a token-creation refusal without `Retry-After`, and after 5xx or network errors:
   * bounded exponential with jitter. Default `{ baseMs: 1000, maxMs: 30000 }` (the genesyscloud
   * provider's RetryWaitMin and RetryWaitMax); 8 attempts then wait out a whole minute's window.
   */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Hears each token-creation refusal (for metrics); `throttled` counts them too. */
  readonly onThrottled?: (info: TokenThrottleInfo) => void;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Per-request timeout in ms. Default 10000. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface CachedToken {
  readonly value: string;
  /** When to fetch a new one (ms). */
  readonly refreshAt: number;
}

/**
 * Client-credentials tokens for one OAuth client. Caches the token and refreshes it before it
 * expires; concurrent callers share one in-flight request, because token creation is itself
 * rate-limited. Keeping an instance at module level (e.g. across Lambda invocations) is the
 * caller's choice.
 */
export class ClientCredentialsTokenProvider {
  readonly clientId: string;
  private readonly opts: ClientCredentialsTokenProviderOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private cached?: CachedToken;
  private inFlight?: Promise<string>;
  /** Tokens fetched so far (for logs and tests). */
  tokensIssued = 0;
  /** Token requests refused by the token-creation limit so far (400 or 429). */
  throttled = 0;

  constructor(opts: ClientCredentialsTokenProviderOptions) {
    if (!opts.loginBase) throw new TypeError('ClientCredentialsTokenProvider: loginBase is required');
    if (!opts.clientId || !opts.clientSecret) throw new TypeError('ClientCredentialsTokenProvider: clientId and clientSecret are required');
    this.opts = opts;
    this.clientId = opts.clientId;
    this.fetchImpl = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  /** A valid bearer token, from the cache when it is not about to expire. */
  getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (!this.inFlight) {
      this.inFlight = this.requestToken().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /**
   * Drops the cached token (after a 401). With `token`, only when it is still the cached one, so
   * several callers rejected with the same token cause one refresh, not many.
   */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.value === token) this.cached = undefined;
  }

  /** Half fixed, half random, doubling per attempt up to the cap, so a storm of clients spreads out. */
  private backoffMs(attempt: number): number {
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 1000, maxMs: 30_000 };
    const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
    return cap / 2 + (cap / 2) * (this.opts.random ?? Math.random)();
  }

  private async requestToken(): Promise<string> {
    const maxAttempts = this.opts.maxAttempts ?? 8;
    const url = joinUrl(this.opts.loginBase, '/oauth/token');
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64');
    let lastError: TokenRequestError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const started = this.now();
      const last = attempt === maxAttempts;
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: 'grant_type=client_credentials',
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        lastError = new TokenRequestError(`token request to ${url} failed: ${(err as Error).message}`);
        if (!last) await this.sleep(this.backoffMs(attempt));
        continue;
      }
      const body = await readBody(res);
      if (res.ok) return this.accept(body, res.status, started, url);
      lastError = new TokenRequestError(`token request for client ${this.opts.clientId} got HTTP ${res.status}`, res.status, body);
      if (isTokenRateLimited(res.status, body)) {
        const asked = parseRetryAfter(res.headers, this.now());
        const waitedMs = last ? undefined : (asked?.ms ?? this.backoffMs(attempt));
        this.throttled++;
        this.opts.onThrottled?.({ clientId: this.clientId, status: res.status, attempt, waitedMs, retryAfterSec: asked?.seconds });
        if (waitedMs !== undefined) await this.sleep(waitedMs);
      } else if (res.status >= 500) {
        if (!last) await this.sleep(this.backoffMs(attempt));
      } else {
        // 400/401 other than the creation limit: wrong id or secret; retrying cannot help.
        throw lastError;
      }
    }
    throw lastError ?? new TokenRequestError(`token request for client ${this.opts.clientId} failed`);
  }

  /** Caches a token response's token; short-lived tokens are refreshed at half their life. */
  private accept(body: unknown, status: number, started: number, url: string): string {
    const b = body as { access_token?: unknown; expires_in?: unknown };
    if (typeof b?.access_token !== 'string' || b.access_token === '') {
      throw new TokenRequestError(`token response from ${url} has no access_token`, status);
    }
    const expiresInSec = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in : 3600;
    const refreshBefore = this.opts.refreshBeforeExpirySec ?? 60;
    const lifeMs = Math.max(expiresInSec * 500, (expiresInSec - refreshBefore) * 1000);
    this.cached = { value: b.access_token, refreshAt: started + lifeMs };
    this.tokensIssued++;
    return b.access_token;
  }
}
