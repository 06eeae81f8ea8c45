import { GenesysApiError } from './errors';
import { joinUrl, rateLimitInfo, readBody, retryAfterMs, type RateLimitInfo } from './http';
import { realSleep, type TokenBucket } from './token-bucket';
import type { ClientCredentialsTokenProvider } from './token-provider';

/** What `onResponse` hears about every attempt (also failed ones, with `status` 0 when no response arrived). */
export interface ResponseInfo {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly attempt: number;
  /** Round trip of this attempt in ms (pacing waits excluded). */
  readonly latencyMs: number;
  readonly rateLimit?: RateLimitInfo;
  /** Seconds the server asked to wait (429 only). */
  readonly retryAfterSec?: number;
  /** How long the client waits before the next attempt (429, 5xx, network errors). */
  readonly waitedMs?: number;
  /** Set when the attempt got no response (network error or timeout). */
  readonly error?: string;
}

export interface GenesysApiClientOptions {
  /** `https://api.<domain>` (or the simulator's URL). */
  readonly apiBase: string;
  readonly tokens: ClientCredentialsTokenProvider;
  /** Paces every attempt; share one bucket between all callers of one token. */
  readonly bucket: TokenBucket;
  /** Attempts per request, the first included. Default 6. */
  readonly maxAttempts?: number;
  /** Wait when a 429 carries no Retry-After, in seconds. Default 3 (the SDKs' default). */
  readonly defaultRetryAfterSec?: number;
  /** Exponential backoff for 5xx, timeouts and network errors. Default `{ baseMs: 500, maxMs: 30000 }`. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Per-attempt timeout in ms. Default 30000. */
  readonly timeoutMs?: number;
  readonly onResponse?: (info: ResponseInfo) => void;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/**
 * Calls the Genesys Cloud Platform API the way the rate limiter wants to be called: paced by a
 * token bucket, `Retry-After` honoured exactly, 5xx and network errors retried with jittered
 * exponential backoff, one token refresh on 401. Other 4xx responses (404, 400, 403) are
 * returned to the caller, which decides what they mean.
 */
export class GenesysApiClient {
  private readonly opts: GenesysApiClientOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(opts: GenesysApiClientOptions) {
    if (!opts.apiBase) throw new TypeError('GenesysApiClient: apiBase is required');
    const maxAttempts = opts.maxAttempts ?? 6;
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
      throw new RangeError(`GenesysApiClient: maxAttempts must be an integer >= 1 (got ${maxAttempts})`);
    }
    this.opts = opts;
    this.fetchImpl = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
  }

  get tokens(): ClientCredentialsTokenProvider {
    return this.opts.tokens;
  }

  get bucket(): TokenBucket {
    return this.opts.bucket;
  }

  /** Backoff before attempt `attempt + 1`: half fixed, half random, so retrying callers spread out. */
  private backoffMs(attempt: number): number {
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 500, maxMs: 30_000 };
    const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
    return cap / 2 + (cap / 2) * this.random();
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const maxAttempts = this.opts.maxAttempts ?? 6;
    const url = joinUrl(this.opts.apiBase, path);
    const upper = method.toUpperCase();
    let refreshed = false;
    let last: { status?: number; body?: unknown; cause?: unknown } = {};
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await this.opts.bucket.take();
      const token = await this.opts.tokens.getToken();
      const started = this.now();
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: upper,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        const wait = attempt < maxAttempts ? this.backoffMs(attempt) : undefined;
        const error = (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message;
        this.opts.onResponse?.({ method: upper, path, status: 0, attempt, latencyMs: this.now() - started, waitedMs: wait, error });
        last = { cause: err };
        if (wait !== undefined) await this.sleep(wait);
        continue;
      }
      const latencyMs = this.now() - started;
      const parsed = await readBody(res);
      const rateLimit = rateLimitInfo(res.headers);
      last = { status: res.status, body: parsed };

      if (res.status === 429) {
        const askedMs = retryAfterMs(res.headers, this.now());
        const waitMs = askedMs ?? (this.opts.defaultRetryAfterSec ?? 3) * 1000;
        const retryAfterHeader = res.headers.get('retry-after');
        const retryAfterSec = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader) : undefined;
        const willRetry = attempt < maxAttempts;
        this.opts.onResponse?.({
          method: upper,
          path,
          status: 429,
          attempt,
          latencyMs,
          rateLimit,
          retryAfterSec,
          waitedMs: willRetry ? waitMs : undefined,
        });
        if (willRetry) {
          // Everyone sharing this bucket (and so this token) pauses, not only this caller.
          this.opts.bucket.deferUntil(this.now() + waitMs);
          await this.sleep(waitMs);
        }
        continue;
      }
      if (res.status >= 500) {
        const wait = attempt < maxAttempts ? this.backoffMs(attempt) : undefined;
        this.opts.onResponse?.({ method: upper, path, status: res.status, attempt, latencyMs, rateLimit, waitedMs: wait });
        if (wait !== undefined) await this.sleep(wait);
        continue;
      }
      this.opts.onResponse?.({ method: upper, path, status: res.status, attempt, latencyMs, rateLimit });
      if (res.status === 401) {
        if (refreshed) {
          throw new GenesysApiError(`${upper} ${path}: HTTP 401 even with a fresh token; check the OAuth client and its roles`, {
            method: upper,
            path,
            status: 401,
            attempts: attempt,
            body: parsed,
          });
        }
        refreshed = true;
        this.opts.tokens.invalidate(token);
        continue;
      }
      return { status: res.status, body: parsed as T, headers: res.headers };
    }
    const what =
      last.status !== undefined ? `HTTP ${last.status}` : `no response (${(last.cause as Error | undefined)?.message ?? 'unknown'})`;
    throw new GenesysApiError(`${upper} ${path}: gave up after ${maxAttempts} attempts; last ${what}`, {
      method: upper,
      path,
      status: last.status,
      attempts: maxAttempts,
      body: last.body,
      cause: last.cause,
    });
  }

  get<T = unknown>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body);
  }
}
