/**
 * The pause check of the pacing bench and tests: which requests count as sent on a paused token.
 */
import { pausedTokenViolations, type RequestLogEntry } from '../../sim/request-log';

const entry = (seq: number, at: number, status: number, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  seq,
  at,
  respondedAt: at + 5,
  method: 'GET',
  endpoint: 'GET /api/v2/scripts',
  path: '/api/v2/scripts',
  status,
  token: 'c1#1',
  correlationId: `corr-${seq}`,
  ...extra,
});

describe('pausedTokenViolations', () => {
  const log = [entry(1, 1000, 429, { retryAfterMs: 2000 }), entry(2, 1500, 200), entry(3, 3500, 200)];

  it('counts a request sent after the client received the 429 and before its Retry-After ended', () => {
    const attempts = [
      { correlationId: 'corr-1', sentAt: 995, latencyMs: 10, status: 429 },
      { correlationId: 'corr-2', sentAt: 1495, latencyMs: 10, status: 200 },
      { correlationId: 'corr-3', sentAt: 3495, latencyMs: 10, status: 200 },
    ];
    const v = pausedTokenViolations(log, attempts, { defaultRetryAfterMs: 3000 });
    expect(v.map((x) => x.request.seq)).toEqual([2]);
    expect(v[0]).toMatchObject({ pauseStart: 1005, pauseEnd: 3000, sentAt: 1495 });
  });

  it('starts no pause on a 429 the client never received (it timed out first)', () => {
    // No attempt carries corr-1: the client's timeout fired before the answer reached it.
    const attempts = [
      { sentAt: 995, latencyMs: 600, status: 0 },
      { correlationId: 'corr-2', sentAt: 1495, latencyMs: 10, status: 200 },
    ];
    expect(pausedTokenViolations(log, attempts, { defaultRetryAfterMs: 3000 })).toEqual([]);
  });

  it('uses the default wait after receipt when the 429 had no Retry-After', () => {
    const noHeader = [entry(1, 1000, 429, { retryAfterMs: null }), entry(2, 3900, 200), entry(3, 4100, 200)];
    const attempts = [{ correlationId: 'corr-1', sentAt: 995, latencyMs: 10, status: 429 }];
    const v = pausedTokenViolations(noHeader, attempts, { defaultRetryAfterMs: 3000 });
    expect(v.map((x) => x.request.seq)).toEqual([2]);
  });
});
