/** A Platform API call that failed for good: retries exhausted, auth refused, or no response at all. */
export class GenesysApiError extends Error {
  constructor(
    message: string,
    readonly details: {
      readonly method: string;
      readonly path: string;
      /** Last HTTP status seen; undefined when no response ever arrived (network error, timeout). */
      readonly status?: number;
      readonly attempts: number;
      /** Parsed body of the last response, if any (Genesys error bodies carry `code` and `message`). */
      readonly body?: unknown;
      readonly cause?: unknown;
      /**
       * True when a non-idempotent request (a POST that creates something) timed out, lost its
       * connection or got a 5xx: it may have been applied, so the client did not send it again.
       */
      readonly outcomeUnknown?: boolean;
    },
  ) {
    super(message);
    this.name = 'GenesysApiError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get outcomeUnknown(): boolean {
    return this.details.outcomeUnknown === true;
  }
}

/** The token endpoint refused or failed. Never carries the client secret. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

/**
 * Whether a token endpoint answer is the per-client token-creation limit. Genesys Cloud answers it
 * with HTTP 400 `{"error":"invalid_request","description":"rate limit exceeded; …"}` (the
 * genesyscloud Terraform provider retries exactly that form); older behaviour, and the simulator
 * when told to, answer 429. Any other 400 (a wrong secret, a bad grant) is not retried.
 */
export function isTokenRateLimited(status: number, body: unknown): boolean {
  if (status === 429) return true;
  if (status !== 400 || typeof body !== 'object' || body === null) return false;
  const b = body as { error?: unknown; description?: unknown; error_description?: unknown };
  const text = [b.description, b.error_description].filter((d): d is string => typeof d === 'string').join(' ');
  return b.error === 'invalid_request' && /rate limit exceeded/i.test(text);
}
