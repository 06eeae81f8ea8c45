/**
 * Applies the current faults (sim/faults.ts) to API calls. Every draw comes from the simulator's
 * seeded generator, in a fixed order per request, so a seeded run repeats.
 */
import { sampleLatency, validateFaults, type Faults } from './faults';
import { errorBody, type Reply } from './http';

export class FaultInjector {
  private current: Faults;
  /** Admitted API calls and token requests seen so far (the *First faults count them). */
  private apiCalls = 0;
  private tokenRequests = 0;

  constructor(
    faults: Faults | undefined,
    private readonly random: () => number,
  ) {
    this.current = validateFaults(faults ?? {});
  }

  get faults(): Faults {
    return this.current;
  }

  /** Replaces the whole set (validated first). */
  set(faults: Faults): void {
    this.current = validateFaults(faults);
  }

  /** Whether errorRate and stallRate apply to an endpoint (`METHOD /template`): all, or those in onlyEndpoints. */
  appliesTo(endpoint: string): boolean {
    return !this.current.onlyEndpoints || this.current.onlyEndpoints.includes(endpoint);
  }

  /** Whether a 429 loses its Retry-After headers (missingRetryAfterRate). */
  dropRetryAfter(): boolean {
    return this.random() < (this.current.missingRetryAfterRate ?? 0);
  }

  /**
   * The reply that replaces an admitted call, if any: a 429 although the limits had room
   * (throttleRate), else a 5xx (errorRate, on endpoints the faults apply to).
   */
  preempt(applies: boolean, contextId: string): Reply | undefined {
    const f = this.current;
    const first = ++this.apiCalls <= (f.throttleFirst ?? 0);
    if (first || ((f.throttleRate ?? 0) > 0 && this.random() < (f.throttleRate ?? 0))) {
      const waitMs = f.throttleRetryAfterMs ?? 1000;
      const seconds = Math.ceil(waitMs / 1000);
      return {
        status: 429,
        headers: { 'retry-after': String(seconds), 'x-sim-retry-after-ms': String(Math.ceil(waitMs)) },
        // The request log records the pause it asked for, like a limiter's 429, and that a fault made it.
        retryAfterMs: Math.ceil(waitMs),
        injected: 'throttleRate',
        body: errorBody(
          429,
          'too.many.requests.retry.after',
          `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
          contextId,
        ),
      };
    }
    if (applies && this.random() < (f.errorRate ?? 0)) {
      const status = f.errorStatus ?? 503;
      return {
        status,
        body: errorBody(status, 'service.unavailable', 'Simulated server error (faults.errorRate)', contextId),
        injected: 'errorRate',
      };
    }
    return undefined;
  }

  /**
   * What replaces a token request, if anything: 'drop' (close the connection unanswered, tokenDropFirst),
   * else Genesys's token-creation 400 (tokenLimitFirst), counted over the token requests seen.
   */
  tokenFault(): 'drop' | Reply | undefined {
    const n = ++this.tokenRequests;
    const drop = this.current.tokenDropFirst ?? 0;
    if (n <= drop) return 'drop';
    if (n - drop <= (this.current.tokenLimitFirst ?? 0)) {
      return {
        status: 400,
        body: { error: 'invalid_request', description: 'rate limit exceeded; token creation (faults.tokenLimitFirst)' },
      };
    }
    return undefined;
  }

  /**
   * How long to hold a processed call's reply: the latency, plus stallMs for a stalled call
   * (answered after the work is done, too late for the client's timeout: "applied, outcome unknown").
   */
  delayMs(applies: boolean): number {
    const stalled = applies && this.random() < (this.current.stallRate ?? 0);
    return sampleLatency(this.current.latency, this.random) + (stalled ? (this.current.stallMs ?? 35_000) : 0);
  }

  /** Whether a new details job will end FAILED (jobFailureRate). */
  jobFails(): boolean {
    return this.random() < (this.current.jobFailureRate ?? 0);
  }

  get recordingsAvailableAfterMs(): number | undefined {
    return this.current.recordingsAvailableAfterMs;
  }
}
