import { findEndpoint } from '../genesys-facts/endpoints';
import { GenesysApiError } from './errors';
import { joinUrl, parseRetryAfter, rateLimitInfo, readBody, type RateLimitInfo } from './http';
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
  /** When the attempt was handed to fetch (ms on the client's clock), after every pacing wait. */
  readonly sentAt?: number;
  /** `inin-correlation-id` of the response (quote it to Genesys support). */
  readonly correlationId?: string;
  /** A non-idempotent request that failed in a way that may have been applied, so it was not sent again. */
  readonly notRetried?: 'may-have-been-applied';
}

export interface RequestOptions {
  /**
   * May the request be sent again after a timeout, a lost connection or a 5xx, which may have
   * been applied? Default: yes for GET, HEAD, PUT, DELETE and OPTIONS and for the read-only POST
   * queries of lib/genesys-facts (analytics and telemetry queries); no for every other POST and
   * PATCH (creating an analytics job, sending a message). 429 and 401 are always retried:
   * Genesys refuses those before doing anything.
   */
  readonly idempotent?: boolean;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Whether a request may be repeated after an outcome it cannot know (see `RequestOptions.idempotent`). */
export function isIdempotent(method: string, path: string): boolean {
  const upper = method.toUpperCase();
  if (IDEMPOTENT_METHODS.has(upper)) return true;
  const kind = findEndpoint(upper, path)?.kind;
  return upper === 'POST' && (kind === 'analytics-query' || kind === 'telemetry');
}

/** Connection refused: nothing reached the server, so even a non-idempotent request can be sent again. */
function neverSent(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } })?.cause?.code;
  return code === 'ECONNREFUSED';
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

/** What the last attempt ended with, for the error thrown when the client stops. */
interface LastOutcome {
  status?: number;
  body?: unknown;
  cause?: unknown;
}

/** One attempt of one request, as the helpers of `request` see it. */
interface AttemptContext {
  readonly method: string;
  readonly path: string;
  readonly attempt: number;
  readonly started: number;
  readonly maxAttempts: number;
  readonly idempotent: boolean;
}

/** What an attempt that got a response reports. */
interface SeenResponse {
  readonly status: number;
  readonly latencyMs: number;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly correlationId: string | undefined;
}

/** The wait a 429 asked for (or the default one). */
interface RetryPause {
  readonly asked: ReturnType<typeof parseRetryAfter>;
  readonly waitMs: number;
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

  /**
   * Sends one request under the bucket's pacing. Every attempt takes a permit from the bucket
   * right before it is sent, so a pause set by any caller's 429 holds back this one too.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const maxAttempts = this.opts.maxAttempts ?? 6;
    const url = joinUrl(this.opts.apiBase, path);
    const upper = method.toUpperCase();
    const idempotent = options.idempotent ?? isIdempotent(upper, path);
    let refreshed = false;
    let last: LastOutcome = {};
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // The token first: fetching one may take a while, and the permit must be the last wait before sending.
      const token = await this.opts.tokens.getToken();
      await this.opts.bucket.take();
      const started = this.now();
      const call: AttemptContext = { method: upper, path, attempt, started, maxAttempts, idempotent };
      let res: Response;
      try {
        res = await this.send(url, upper, token, body);
      } catch (err) {
        last = { cause: err };
        await this.afterNetworkError(call, err, last);
        continue;
      }
      const latencyMs = this.now() - started;
      const pause = res.status === 429 ? this.deferOn429(res, started + latencyMs) : undefined;
      const parsed = await readBody(res);
      const seen: SeenResponse = {
        status: res.status,
        latencyMs,
        rateLimit: rateLimitInfo(res.headers),
        correlationId: res.headers.get('inin-correlation-id') ?? undefined,
      };
      last = { status: res.status, body: parsed };

      if (pause) {
        this.report429(call, seen, pause);
        continue;
      }
      if (res.status >= 500) {
        await this.afterServerError(call, seen, last);
        continue;
      }
      this.opts.onResponse?.({
        method: upper,
        path,
        status: res.status,
        attempt,
        latencyMs,
        rateLimit: seen.rateLimit,
        sentAt: started,
        correlationId: seen.correlationId,
      });
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
    throw this.gaveUp(upper, path, maxAttempts, last);
  }

  /** One attempt on the wire, with the per-attempt timeout. */
  private send(url: string, method: string, token: string, body: unknown): Promise<Response> {
    return this.fetchImpl(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
  }

  /** No response: report it, then wait to retry, or throw when a non-idempotent request may have been applied. */
  private async afterNetworkError(call: AttemptContext, err: unknown, last: LastOutcome): Promise<void> {
    const { method, path, attempt, started, maxAttempts, idempotent } = call;
    const error = (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message;
    const retry = attempt < maxAttempts && (idempotent || neverSent(err));
    const wait = retry ? this.backoffMs(attempt) : undefined;
    const notRetried = !idempotent && !neverSent(err) ? ('may-have-been-applied' as const) : undefined;
    this.opts.onResponse?.({
      method,
      path,
      status: 0,
      attempt,
      latencyMs: this.now() - started,
      waitedMs: wait,
      error,
      sentAt: started,
      notRetried,
    });
    if (notRetried) throw this.unknownOutcome(method, path, attempt, `no response (${error})`, last);
    if (wait !== undefined) await this.sleep(wait);
  }

  /**
   * A 429: pause the bucket before anything else is awaited (even reading the body), so no other
   * caller of this bucket sends in between: everyone sharing the token waits, including callers
   * already waiting for a permit; this caller's next attempt waits in the bucket too.
   */
  private deferOn429(res: Response, received: number): RetryPause {
    const asked = parseRetryAfter(res.headers, received);
    const waitMs = asked?.ms ?? (this.opts.defaultRetryAfterSec ?? 3) * 1000;
    this.opts.bucket.deferUntil(received + waitMs);
    return { asked, waitMs };
  }

  /** Reports a 429; the wait itself happens in the bucket. */
  private report429(call: AttemptContext, seen: SeenResponse, pause: RetryPause): void {
    const willRetry = call.attempt < call.maxAttempts;
    this.opts.onResponse?.({
      method: call.method,
      path: call.path,
      status: 429,
      attempt: call.attempt,
      latencyMs: seen.latencyMs,
      rateLimit: seen.rateLimit,
      retryAfterSec: pause.asked?.seconds,
      waitedMs: willRetry ? pause.waitMs : undefined,
      sentAt: call.started,
      correlationId: seen.correlationId,
    });
  }

  /** A 5xx: report it, then back off to retry, or throw when a non-idempotent request may have been applied. */
  private async afterServerError(call: AttemptContext, seen: SeenResponse, last: LastOutcome): Promise<void> {
    const { method, path, attempt, started, maxAttempts, idempotent } = call;
    const wait = attempt < maxAttempts && idempotent ? this.backoffMs(attempt) : undefined;
    const notRetried = idempotent ? undefined : ('may-have-been-applied' as const);
    this.opts.onResponse?.({
      method,
      path,
      status: seen.status,
      attempt,
      latencyMs: seen.latencyMs,
      rateLimit: seen.rateLimit,
      waitedMs: wait,
      sentAt: started,
      correlationId: seen.correlationId,
      notRetried,
    });
    if (notRetried) throw this.unknownOutcome(method, path, attempt, `HTTP ${seen.status}`, last);
    if (wait !== undefined) await this.sleep(wait);
  }

  /** The error after the last attempt. */
  private gaveUp(method: string, path: string, maxAttempts: number, last: LastOutcome): GenesysApiError {
    const what =
      last.status !== undefined ? `HTTP ${last.status}` : `no response (${(last.cause as Error | undefined)?.message ?? 'unknown'})`;
    return new GenesysApiError(`${method} ${path}: gave up after ${maxAttempts} attempts; last ${what}`, {
      method,
      path,
      status: last.status,
      attempts: maxAttempts,
      body: last.body,
      cause: last.cause,
    });
  }

  private unknownOutcome(method: string, path: string, attempts: number, what: string, last: LastOutcome): GenesysApiError {
    return new GenesysApiError(
      `${method} ${path}: ${what}; not sent again because it may have been applied (not idempotent): check whether it took effect before repeating it`,
      { method, path, status: last.status, attempts, body: last.body, cause: last.cause, outcomeUnknown: true },
    );
  }

  get<T = unknown>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, options);
  }
}
