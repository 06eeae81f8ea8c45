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

/**
 * The wait a throttled response asks for, in ms: `x-sim-retry-after-ms` (sent only by the
 * loadlab simulator, whose windows may be shorter than a second) wins over `Retry-After`
 * (integer seconds or an HTTP date; the only header real Genesys Cloud sends).
 */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const precise = headers.get('x-sim-retry-after-ms');
  if (precise !== null && precise.trim() !== '' && Number.isFinite(Number(precise)) && Number(precise) >= 0) return Number(precise);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
