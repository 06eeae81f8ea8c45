import { TokenRequestError } from './errors';
import { joinUrl, readBody, retryAfterMs } from './http';
import { realSleep } from './token-bucket';

export interface ClientCredentialsTokenProviderOptions {
  /** `https://login.<domain>` (or the simulator's URL). */
  readonly loginBase: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Fetch a new token this many seconds before the current one expires. Default 60. */
  readonly refreshBeforeExpirySec?: number;
  /** Attempts per token request when the token endpoint throttles or fails. Default 4. */
  readonly maxAttempts?: number;
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

  private async requestToken(): Promise<string> {
    const maxAttempts = this.opts.maxAttempts ?? 4;
    const url = joinUrl(this.opts.loginBase, '/oauth/token');
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64');
    let lastError: TokenRequestError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const started = this.now();
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
        await this.sleep(Math.min(1000 * 2 ** (attempt - 1), 10_000));
        continue;
      }
      const body = await readBody(res);
      if (res.ok) {
        const b = body as { access_token?: unknown; expires_in?: unknown };
        if (typeof b?.access_token !== 'string' || b.access_token === '') {
          throw new TokenRequestError(`token response from ${url} has no access_token`, res.status);
        }
        const expiresInSec = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in : 3600;
        const refreshBefore = this.opts.refreshBeforeExpirySec ?? 60;
        // Short-lived tokens are refreshed at half their life rather than immediately.
        const lifeMs = Math.max(expiresInSec * 500, (expiresInSec - refreshBefore) * 1000);
        this.cached = { value: b.access_token, refreshAt: started + lifeMs };
        this.tokensIssued++;
        return b.access_token;
      }
      lastError = new TokenRequestError(`token request for client ${this.opts.clientId} got HTTP ${res.status}`, res.status, body);
      if (res.status === 429) {
        await this.sleep(retryAfterMs(res.headers, this.now()) ?? 3000);
      } else if (res.status >= 500) {
        await this.sleep(Math.min(1000 * 2 ** (attempt - 1), 10_000));
      } else {
        // 400/401: wrong id or secret; retrying cannot help.
        throw lastError;
      }
    }
    throw lastError ?? new TokenRequestError(`token request for client ${this.opts.clientId} failed`);
  }
}
