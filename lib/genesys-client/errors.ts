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
