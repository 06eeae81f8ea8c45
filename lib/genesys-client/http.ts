/** Small helpers shared by the token provider and the API client. */

/** Parses a response body as JSON when it looks like JSON, else returns the text (or undefined when empty). */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What a throttled response asks for. */
export interface RetryAfter {
  /** How long to wait, in ms. */
  readonly ms: number;
  /** The `Retry-After` header in seconds (an HTTP date converted), when the response had one. */
  readonly seconds?: number;
}

/**
 * The one `Retry-After` parser of the project's TypeScript code (the API client, the token
 * provider, limits:fetch, the rehearsal). `Retry-After` is integer seconds or an HTTP date (RFC
 * 9110 10.2.3; real Genesys Cloud sends seconds); decimal seconds are accepted too. The loadlab
 * simulator also sends `x-sim-retry-after-ms`, the exact wait of windows shorter than a second,
 * which wins when present. Undefined when neither header is usable (the caller's default applies).
 */
export function parseRetryAfter(headers: Headers, now: number): RetryAfter | undefined {
  const header = headers.get('retry-after')?.trim() ?? '';
  let seconds: number | undefined;
  if (/^\d+(\.\d+)?$/.test(header)) seconds = Number(header);
  else if (/[a-z]{3}/i.test(header)) {
    // HTTP dates name the day and month ("Thu, 03 Dec 2026 01:00:05 GMT"); a bare "-3" is not one.
    const date = Date.parse(header);
    if (!Number.isNaN(date)) seconds = Math.max(0, Math.ceil((date - now) / 1000));
  }
  const precise = headers.get('x-sim-retry-after-ms')?.trim() ?? '';
  if (precise !== '' && Number.isFinite(Number(precise)) && Number(precise) >= 0) return { ms: Number(precise), seconds };
  if (seconds === undefined) return undefined;
  if (!/^\d/.test(header)) return { ms: Math.max(0, Date.parse(header) - now), seconds };
  return { ms: seconds * 1000, seconds };
}

/** The wait a throttled response asks for, in ms (see `parseRetryAfter`). */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  return parseRetryAfter(headers, now)?.ms;
}

export interface RateLimitInfo {
  readonly count: number;
  readonly allowed: number;
  /** Seconds until the limit's window resets. */
  readonly reset: number;
}

/** The `inin-ratelimit-*` headers, when all three are present and numeric. */
export function rateLimitInfo(headers: Headers): RateLimitInfo | undefined {
  const count = Number(headers.get('inin-ratelimit-count') ?? NaN);
  const allowed = Number(headers.get('inin-ratelimit-allowed') ?? NaN);
  const reset = Number(headers.get('inin-ratelimit-reset') ?? NaN);
  if ([count, allowed, reset].some((n) => !Number.isFinite(n))) return undefined;
  return { count, allowed, reset };
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}
