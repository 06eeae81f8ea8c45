import {
  ClientCredentialsTokenProvider,
  GenesysApiClient,
  GenesysApiError,
  isIdempotent,
  isTokenRateLimited,
  TokenBucket,
} from '../../lib/genesys-client';

/** A manual clock: sleep advances it, so waits are exact and instant. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
function mockFetch(handler: Handler) {
  const calls: { url: string; init: RequestInit }[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return handler(url, init ?? {});
  }) as typeof fetch;
  return { fetch: f, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('TokenBucket', () => {
  it('spaces permits by 60000/rate ms with burst 1', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerMinute: 600, now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await bucket.take();
      times.push(clock.now());
    }
    expect(times.map((t) => t - times[0])).toEqual([0, 100, 200, 300, 400]);
  });

  it('allows a burst after idling, then paces', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerMinute: 60, burst: 3, now: clock.now, sleep: clock.sleep });
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.waitTimeMs()).toBe(1000);
    clock.advance(1000);
    expect(bucket.tryTake()).toBe(true);
  });

  it('serves concurrent callers in order without exceeding the rate', async () => {
    let t = 0;
    const bucket = new TokenBucket({
      ratePerMinute: 1200,
      now: () => t,
      sleep: () => Promise.resolve(),
    });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = bucket.waitTimeMs();
      waits.push(before);
      void bucket.take();
    }
    expect(waits).toEqual([0, 50, 100, 150]);
    t = 10;
    expect(bucket.waitTimeMs()).toBe(190);
  });

  it('keeps real sends spaced when waiting callers all wake late (a stalled event loop)', async () => {
    // Timers that only fire when the test says so: the clock jumps past every reserved slot at once.
    let t = 0;
    const timers: { at: number; wake: () => void }[] = [];
    const bucket = new TokenBucket({
      ratePerMinute: 1200, // one permit every 50 ms
      now: () => t,
      sleep: (ms) => new Promise<void>((wake) => timers.push({ at: t + ms, wake })),
    });
    const sent: number[] = [];
    const takes = Array.from({ length: 4 }, () => bucket.take().then(() => sent.push(t)));
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    // The stall: at 400 ms every timer that was due fires together.
    t = 400;
    for (const timer of timers.splice(0)) timer.wake();
    await settle();
    // Then time runs normally: each later timer fires when due.
    while (timers.length) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift()!;
      t = Math.max(t, next.at);
      next.wake();
      await settle();
    }
    await Promise.all(takes);
    expect(sent).toEqual([0, 400, 450, 500]);
  });

  it('deferUntil blocks every caller until the time', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerMinute: 6000, burst: 5, now: clock.now, sleep: clock.sleep });
    bucket.deferUntil(clock.now() + 2000);
    expect(bucket.tryTake()).toBe(false);
    await bucket.take();
    expect(clock.sleeps).toEqual([2000]);
  });

  it('rejects a non-positive rate or a fractional burst', () => {
    expect(() => new TokenBucket({ ratePerMinute: 0 })).toThrow(/ratePerMinute/);
    expect(() => new TokenBucket({ ratePerMinute: 10, burst: 1.5 })).toThrow(/burst/);
  });
});

describe('ClientCredentialsTokenProvider', () => {
  it('posts client credentials with HTTP Basic and caches the token', async () => {
    const clock = fakeClock();
    const m = mockFetch(() => json(200, { access_token: 'tok-1', token_type: 'bearer', expires_in: 3600 }));
    const tp = new ClientCredentialsTokenProvider({
      loginBase: 'https://login.x/',
      clientId: 'id',
      clientSecret: 's3cret',
      fetch: m.fetch,
      now: clock.now,
    });
    expect(await tp.getToken()).toBe('tok-1');
    expect(await tp.getToken()).toBe('tok-1');
    expect(m.calls).toHaveLength(1);
    expect(m.calls[0].url).toBe('https://login.x/oauth/token');
    expect(m.calls[0].init.method).toBe('POST');
    expect((m.calls[0].init.headers as Record<string, string>).authorization).toBe(`Basic ${Buffer.from('id:s3cret').toString('base64')}`);
    expect(m.calls[0].init.body).toBe('grant_type=client_credentials');
  });

  it('refreshes refreshBeforeExpirySec before expiry and shares one in-flight request', async () => {
    const clock = fakeClock();
    let n = 0;
    const m = mockFetch(() => json(200, { access_token: `tok-${++n}`, expires_in: 600 }));
    const tp = new ClientCredentialsTokenProvider({
      loginBase: 'https://login.x',
      clientId: 'id',
      clientSecret: 's',
      refreshBeforeExpirySec: 100,
      fetch: m.fetch,
      now: clock.now,
    });
    const all = await Promise.all([tp.getToken(), tp.getToken(), tp.getToken()]);
    expect(all).toEqual(['tok-1', 'tok-1', 'tok-1']);
    clock.advance(499_000);
    expect(await tp.getToken()).toBe('tok-1');
    clock.advance(1_000);
    expect(await tp.getToken()).toBe('tok-2');
    expect(m.calls).toHaveLength(2);
  });

  it('invalidate(token) drops only the token it names', async () => {
    let n = 0;
    const m = mockFetch(() => json(200, { access_token: `tok-${++n}`, expires_in: 3600 }));
    const tp = new ClientCredentialsTokenProvider({ loginBase: 'https://l', clientId: 'id', clientSecret: 's', fetch: m.fetch });
    await tp.getToken();
    tp.invalidate('stale');
    expect(await tp.getToken()).toBe('tok-1');
    tp.invalidate('tok-1');
    expect(await tp.getToken()).toBe('tok-2');
  });

  it('fails fast on a wrong secret without leaking it', async () => {
    const m = mockFetch(() => json(401, { error: 'invalid_client' }));
    const tp = new ClientCredentialsTokenProvider({ loginBase: 'https://l', clientId: 'id', clientSecret: 'topsecret', fetch: m.fetch });
    const err = await tp.getToken().catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'TokenRequestError', status: 401 });
    expect(String((err as Error).message)).not.toContain('topsecret');
    expect(m.calls).toHaveLength(1);
  });

  it('waits Retry-After when the token endpoint throttles', async () => {
    const clock = fakeClock();
    let n = 0;
    const m = mockFetch(() =>
      ++n === 1 ? json(429, { status: 429 }, { 'retry-after': '2' }) : json(200, { access_token: 't', expires_in: 60 }),
    );
    const tp = new ClientCredentialsTokenProvider({
      loginBase: 'https://l',
      clientId: 'id',
      clientSecret: 's',
      fetch: m.fetch,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(await tp.getToken()).toBe('t');
    expect(clock.sleeps).toEqual([2000]);
  });

  it('backs off (exponential, jittered, bounded) on the platform\'s 400 "rate limit exceeded" and counts each refusal', async () => {
    const clock = fakeClock();
    let n = 0;
    const limited = { error: 'invalid_request', description: 'rate limit exceeded; try again later' };
    const m = mockFetch(() => (++n <= 4 ? json(400, limited) : json(200, { access_token: 't', expires_in: 60 })));
    const heard: unknown[] = [];
    const tp = new ClientCredentialsTokenProvider({
      loginBase: 'https://l',
      clientId: 'id',
      clientSecret: 's',
      fetch: m.fetch,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      backoff: { baseMs: 100, maxMs: 500 },
      onThrottled: (i) => heard.push(i),
    });
    expect(await tp.getToken()).toBe('t');
    // cap 100, 200, 400, 500 (bounded); each wait is half the cap plus half of it times the jitter draw.
    expect(clock.sleeps).toEqual([75, 150, 300, 375]);
    expect(tp.throttled).toBe(4);
    expect(heard[0]).toEqual({ clientId: 'id', status: 400, attempt: 1, waitedMs: 75, retryAfterSec: undefined });
  });

  it('honours Retry-After on a 400 "rate limit exceeded" when the answer carries one', async () => {
    const clock = fakeClock();
    let n = 0;
    const limited = { error: 'invalid_request', description: 'Rate limit exceeded' };
    const m = mockFetch(() => (++n === 1 ? json(400, limited, { 'retry-after': '3' }) : json(200, { access_token: 't', expires_in: 60 })));
    const tp = new ClientCredentialsTokenProvider({
      loginBase: 'https://l',
      clientId: 'id',
      clientSecret: 's',
      fetch: m.fetch,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(await tp.getToken()).toBe('t');
    expect(clock.sleeps).toEqual([3000]);
  });

  it('does not retry any other 400 (a bad grant, a wrong client)', async () => {
    const m = mockFetch(() => json(400, { error: 'invalid_request', description: 'grant_type is missing' }));
    const tp = new ClientCredentialsTokenProvider({ loginBase: 'https://l', clientId: 'id', clientSecret: 's', fetch: m.fetch });
    await expect(tp.getToken()).rejects.toMatchObject({ name: 'TokenRequestError', status: 400 });
    expect(m.calls).toHaveLength(1);
    expect(tp.throttled).toBe(0);
  });

  it('gives up after maxAttempts refusals without a last pointless wait', async () => {
    const clock = fakeClock();
    const m = mockFetch(() => json(400, { error: 'invalid_request', description: 'rate limit exceeded' }));
    const tp = new ClientCredentialsTokenProvider({
      loginBase: 'https://l',
      clientId: 'id',
      clientSecret: 's',
      fetch: m.fetch,
      now: clock.now,
      sleep: clock.sleep,
      maxAttempts: 3,
      random: () => 0,
    });
    await expect(tp.getToken()).rejects.toMatchObject({ status: 400 });
    expect(m.calls).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 1000]);
  });
});

describe('isTokenRateLimited', () => {
  it('recognises both forms of the token-creation limit and nothing else', () => {
    expect(isTokenRateLimited(429, undefined)).toBe(true);
    expect(isTokenRateLimited(400, { error: 'invalid_request', description: 'rate limit exceeded; retry later' })).toBe(true);
    expect(isTokenRateLimited(400, { error: 'invalid_request', error_description: 'Rate limit exceeded' })).toBe(true);
    expect(isTokenRateLimited(400, { error: 'invalid_client', description: 'rate limit exceeded' })).toBe(false);
    expect(isTokenRateLimited(400, { error: 'invalid_request', description: 'bad grant' })).toBe(false);
    expect(isTokenRateLimited(401, { error: 'invalid_request', description: 'rate limit exceeded' })).toBe(false);
    expect(isTokenRateLimited(400, 'rate limit exceeded')).toBe(false);
  });
});

describe('GenesysApiClient', () => {
  function setup(handler: Handler, extra: Partial<ConstructorParameters<typeof GenesysApiClient>[0]> = {}) {
    const clock = fakeClock();
    let tokenN = 0;
    const tokenFetch = mockFetch(() => json(200, { access_token: `tok-${++tokenN}`, expires_in: 3600 }));
    const api = mockFetch(handler);
    const tokens = new ClientCredentialsTokenProvider({
      loginBase: 'https://login',
      clientId: 'c',
      clientSecret: 's',
      fetch: tokenFetch.fetch,
      now: clock.now,
    });
    const bucket = new TokenBucket({ ratePerMinute: 60_000, now: clock.now, sleep: clock.sleep });
    const infos: unknown[] = [];
    const client = new GenesysApiClient({
      apiBase: 'https://api',
      tokens,
      bucket,
      fetch: api.fetch,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      onResponse: (i) => infos.push(i),
      ...extra,
    });
    return { client, clock, api, tokenFetch, infos };
  }

  describe('non-idempotent requests (creating a job, sending a message)', () => {
    const JOBS = '/api/v2/analytics/conversations/details/jobs';
    const SEND = '/api/v2/conversations/messages/c1/communications/m1/messages';

    it('does not send a POST again after a 5xx that may have been applied; says so', async () => {
      const { client, api, infos } = setup(() => json(503, { status: 503 }));
      const err = await client.post(JOBS, { interval: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GenesysApiError);
      expect((err as GenesysApiError).outcomeUnknown).toBe(true);
      expect((err as Error).message).toMatch(/not sent again because it may have been applied/);
      expect(api.calls).toHaveLength(1);
      expect(infos).toEqual([expect.objectContaining({ status: 503, notRetried: 'may-have-been-applied' })]);
    });

    it('does not send a message again after a timeout', async () => {
      const { client, api } = setup(() => Promise.reject(Object.assign(new Error('aborted'), { name: 'TimeoutError' })));
      const err = (await client.post(SEND, { textBody: 'hi' }).catch((e: unknown) => e)) as GenesysApiError;
      expect(err.outcomeUnknown).toBe(true);
      expect(err.message).toMatch(/no response \(timeout\)/);
      expect(api.calls).toHaveLength(1);
    });

    it('retries a POST after 429 (refused before it was applied) and after a refused connection', async () => {
      let n = 0;
      const { client, api } = setup(() => {
        n++;
        if (n === 1) return json(429, {}, { 'retry-after': '1' });
        if (n === 2) return Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
        return json(202, { jobId: 'j1' });
      });
      expect((await client.post(JOBS, { interval: 'x' })).body).toEqual({ jobId: 'j1' });
      expect(api.calls).toHaveLength(3);
    });

    it('retries read-only POST queries and anything flagged idempotent', async () => {
      let n = 0;
      const { client, api } = setup(() => (++n === 1 ? json(503, {}) : json(200, { totalHits: 0 })));
      expect((await client.post('/api/v2/analytics/conversations/details/query', { interval: 'x' })).status).toBe(200);
      n = 0;
      expect((await client.post(JOBS, { interval: 'x' }, { idempotent: true })).status).toBe(200);
      expect(api.calls).toHaveLength(4);
    });

    it('knows which calls are idempotent', () => {
      expect(isIdempotent('GET', '/api/v2/scripts')).toBe(true);
      expect(isIdempotent('DELETE', `${JOBS}/j1`)).toBe(true);
      expect(isIdempotent('POST', '/api/v2/analytics/conversations/details/query')).toBe(true);
      expect(isIdempotent('POST', JOBS)).toBe(false);
      expect(isIdempotent('POST', SEND)).toBe(false);
      expect(isIdempotent('PATCH', '/api/v2/anything')).toBe(false);
    });
  });

  it('waits exactly Retry-After on 429, reports the rate-limit headers, then succeeds', async () => {
    let n = 0;
    const { client, clock, infos } = setup(() =>
      ++n === 1
        ? json(
            429,
            { status: 429, code: 'too.many.requests.retry.after' },
            { 'retry-after': '7', 'inin-ratelimit-count': '301', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '7' },
          )
        : json(200, { ok: true }),
    );
    const res = await client.request<{ ok: boolean }>('GET', '/api/v2/scripts');
    expect(res.body).toEqual({ ok: true });
    expect(clock.sleeps.filter((s) => s >= 1000)).toEqual([7000]);
    expect(infos[0]).toMatchObject({
      status: 429,
      attempt: 1,
      retryAfterSec: 7,
      waitedMs: 7000,
      rateLimit: { count: 301, allowed: 300, reset: 7 },
    });
    expect(infos[1]).toMatchObject({ status: 200, attempt: 2 });
  });

  it('prefers x-sim-retry-after-ms and falls back to defaultRetryAfterSec', async () => {
    let n = 0;
    const { client, clock } = setup(
      () => (++n === 1 ? json(429, {}, { 'retry-after': '1', 'x-sim-retry-after-ms': '240' }) : n === 2 ? json(429, {}) : json(200, {})),
      { defaultRetryAfterSec: 5 },
    );
    await client.get('/api/v2/scripts');
    expect(clock.sleeps.filter((s) => s > 1)).toEqual([240, 5000]);
  });

  it('waits 3 s on a 429 without Retry-After when no default is configured', async () => {
    let n = 0;
    const { client, clock, infos } = setup(() => (++n === 1 ? json(429, { status: 429 }) : json(200, {})));
    await client.get('/api/v2/scripts');
    expect(clock.sleeps.filter((s) => s > 1)).toEqual([3000]);
    expect(infos[0]).toMatchObject({ status: 429, waitedMs: 3000 });
    expect(infos[0]).not.toHaveProperty('retryAfterSec', expect.anything());
  });

  it('treats a timed-out attempt like a network error: jittered backoff, then retries', async () => {
    let n = 0;
    const { client, clock, infos } = setup(
      (_url, init) =>
        ++n === 1
          ? // Never answers; only the client's per-attempt timeout ends it.
            new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))
          : json(200, { n }),
      { timeoutMs: 20, backoff: { baseMs: 100, maxMs: 300 } },
    );
    const res = await client.get<{ n: number }>('/api/v2/scripts');
    expect(res.body.n).toBe(2);
    expect(infos[0]).toMatchObject({ status: 0, error: 'timeout', waitedMs: 75 });
    expect(clock.sleeps.filter((s) => s > 1)).toEqual([75]);
  });

  it('backs off exponentially with jitter on 5xx and network errors', async () => {
    let n = 0;
    const { client, clock, infos } = setup(
      () => {
        n++;
        if (n === 1) return json(503, {});
        if (n === 2) throw new TypeError('fetch failed');
        if (n === 3) return json(500, {});
        return json(200, { n });
      },
      { backoff: { baseMs: 100, maxMs: 300 } },
    );
    const res = await client.get<{ n: number }>('/api/v2/scripts');
    expect(res.body.n).toBe(4);
    // random 0.5 -> cap * 0.75; caps 100, 200, 300 (capped from 400)
    expect(clock.sleeps.filter((s) => s > 1)).toEqual([75, 150, 225]);
    expect(infos[1]).toMatchObject({ status: 0, error: 'fetch failed' });
  });

  it('gives up after maxAttempts with the last status', async () => {
    const { client, api } = setup(() => json(503, { message: 'down' }), { maxAttempts: 3 });
    const err = (await client.get('/api/v2/scripts').catch((e) => e)) as GenesysApiError;
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err.status).toBe(503);
    expect(err.details.attempts).toBe(3);
    expect(api.calls).toHaveLength(3);
  });

  it('refreshes the token once on 401, then throws on a second 401', async () => {
    const seen: string[] = [];
    let n = 0;
    const { client, tokenFetch } = setup((_u, init) => {
      seen.push((init.headers as Record<string, string>).authorization);
      return ++n === 1 ? json(401, {}) : json(200, {});
    });
    await client.get('/api/v2/scripts');
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(tokenFetch.calls).toHaveLength(2);

    const always401 = setup(() => json(401, {}));
    await expect(always401.client.get('/api/v2/scripts')).rejects.toMatchObject({ details: { status: 401, attempts: 2 } });
  });

  it('returns other 4xx without retrying, and sends JSON bodies', async () => {
    const { client, api } = setup(() => json(404, { status: 404, code: 'not.found' }));
    const res = await client.post('/api/v2/analytics/conversations/details/jobs', { interval: 'x' });
    expect(res.status).toBe(404);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0].init.body).toBe('{"interval":"x"}');
    expect((api.calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('takes from the bucket on every attempt', async () => {
    let n = 0;
    const { client } = setup(() => (++n < 3 ? json(503, {}) : json(200, {})));
    const bucket = client.bucket;
    const spy = jest.spyOn(bucket, 'take');
    await client.get('/x');
    expect(spy).toHaveBeenCalledTimes(3);
  });
});
