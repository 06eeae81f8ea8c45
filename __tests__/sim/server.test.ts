import { request } from 'node:http';
import { parseFaultsFlag, validateFaults } from '../../sim/faults';
import { catalogueLimits } from '../../sim/admission';
import { call, control, manualClock, token, tokenResponse, withSim } from './helpers';

const SCRIPTS = '/api/v2/scripts';

describe('simulator rate limits', () => {
  it('passes N requests per token window and answers N+1 with an exact 429', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, minuteMs: 1000, limits: { perToken: 10 } }, async (sim) => {
      const t = await token(sim);
      for (let i = 1; i <= 10; i++) {
        const r = await call(sim, t, 'GET', SCRIPTS);
        expect(r.status).toBe(200);
        expect(r.headers.get('inin-ratelimit-count')).toBe(String(i));
        expect(r.headers.get('inin-ratelimit-allowed')).toBe('10');
        expect(r.headers.get('inin-ratelimit-reset')).toBe('1');
      }
      clock.advance(650);
      const over = await call(sim, t, 'GET', SCRIPTS);
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe('1');
      expect(over.headers.get('x-sim-retry-after-ms')).toBe('350');
      expect(over.headers.get('inin-ratelimit-count')).toBe('11');
      expect(over.body).toMatchObject({
        status: 429,
        code: 'too.many.requests.retry.after',
        message: 'Rate limit exceeded the maximum. Retry the request in [1] seconds',
      });
      expect(over.body.contextId).toBe(over.headers.get('inin-correlation-id'));
      clock.advance(349);
      expect((await call(sim, t, 'GET', SCRIPTS)).status).toBe(429);
      clock.advance(1);
      expect((await call(sim, t, 'GET', SCRIPTS)).status).toBe(200);
    });
  });

  it('rounds Retry-After up to whole seconds of the scaled window', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, minuteMs: 60_000, limits: { perToken: 2 } }, async (sim) => {
      const t = await token(sim);
      await call(sim, t, 'GET', SCRIPTS);
      await call(sim, t, 'GET', SCRIPTS);
      clock.advance(17_400);
      const r = await call(sim, t, 'GET', SCRIPTS);
      expect(r.headers.get('retry-after')).toBe('43');
      expect(r.headers.get('x-sim-retry-after-ms')).toBe('42600');
      expect(r.headers.get('inin-ratelimit-reset')).toBe('43');
    });
  });

  it('counts tokens and clients separately', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, minuteMs: 1000, limits: { perToken: 3, perClient: 5 } }, async (sim) => {
      const [a, b, other] = [await token(sim), await token(sim), await token(sim, 'c2', 's2')];
      for (let i = 0; i < 3; i++) expect((await call(sim, a, 'GET', SCRIPTS)).status).toBe(200);
      expect((await call(sim, a, 'GET', SCRIPTS)).status).toBe(429); // token a full
      expect((await call(sim, b, 'GET', SCRIPTS)).status).toBe(200);
      const r = await call(sim, b, 'GET', SCRIPTS);
      expect(r.status).toBe(200); // client c1 now at 5 of 5
      expect(r.headers.get('inin-ratelimit-allowed')).toBe('5');
      const clientOver = await call(sim, b, 'GET', SCRIPTS);
      expect(clientOver.status).toBe(429); // token b has room, client c1 has none
      expect(clientOver.body.messageParams.limit).toBe('org.app.user.rate.per.minute');
      expect((await call(sim, other, 'GET', SCRIPTS)).status).toBe(200); // another client is unaffected
      const stats = sim.stats();
      expect(stats.byClient.c1).toMatchObject({ '2xx': 5, '429': 2, tokensIssued: 2 });
      expect(stats.byToken['c1#1']).toMatchObject({ '2xx': 3, '429': 1, clientId: 'c1' });
      expect(stats.byToken['c2#1']).toMatchObject({ '2xx': 1 });
    });
  });

  it('enforces per-endpoint limits on top of the token limit', async () => {
    const clock = manualClock();
    const query = '/api/v2/analytics/conversations/details/query';
    await withSim(
      {
        now: clock.now,
        minuteMs: 1000,
        limits: { endpoints: [{ method: 'POST', path: query, perWindow: 2, scope: 'org', name: 'analytics.query.rate' }] },
      },
      async (sim) => {
        const [a, b] = [await token(sim), await token(sim, 'c2', 's2')];
        expect((await call(sim, a, 'POST', query, { interval: '2026-01-01/2026-01-02' })).status).toBe(200);
        expect((await call(sim, b, 'POST', query, { interval: '2026-01-01/2026-01-02' })).status).toBe(200);
        const over = await call(sim, a, 'POST', query, { interval: '2026-01-01/2026-01-02' });
        expect(over.status).toBe(429);
        expect(over.body.messageParams.limit).toBe('analytics.query.rate');
        expect((await call(sim, a, 'GET', SCRIPTS)).status).toBe(200);
      },
    );
  });

  it('rate-limits token creation per client with HTTP 400 invalid_request "rate limit exceeded", as Genesys Cloud does', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, minuteMs: 1000, limits: { tokenCreationPerClient: 2 } }, async (sim) => {
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
      const over = await tokenResponse(sim, 'c1', 's1');
      expect(over.status).toBe(400);
      expect(await over.json()).toEqual({ error: 'invalid_request', description: expect.stringMatching(/^rate limit exceeded/) });
      expect(over.headers.get('retry-after')).toBeNull();
      expect(sim.stats().byClient.c1).toMatchObject({ tokensIssued: 2, tokenRequestsRefused: 1 });
      expect((await tokenResponse(sim, 'c2', 's2')).status).toBe(200);
      clock.advance(1000);
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
    });
  });

  it('answers 429 with Retry-After over the token-creation limit when told to (older behaviour)', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, minuteMs: 1000, limits: { tokenCreationPerClient: 2 }, tokenThrottleStatus: 429 }, async (sim) => {
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
      const over = await tokenResponse(sim, 'c1', 's1');
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe('1');
      expect((await tokenResponse(sim, 'c2', 's2')).status).toBe(200);
      clock.advance(1000);
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
    });
  });

  it('resets windows and counters on POST /__sim/reset', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, minuteMs: 60_000, limits: { perToken: 1 } }, async (sim) => {
      const t = await token(sim);
      await call(sim, t, 'GET', SCRIPTS);
      expect((await call(sim, t, 'GET', SCRIPTS)).status).toBe(429);
      expect((await control(sim, 'POST', '/__sim/reset')).status).toBe(204);
      const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { totals: { requests: number } };
      expect(stats.totals.requests).toBe(0);
      expect((await call(sim, t, 'GET', SCRIPTS)).status).toBe(200);
    });
  });
});

describe('simulator auth', () => {
  it('issues expiring bearer tokens to registered clients only', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, tokenTtlSec: 60 }, async (sim) => {
      const bad = await tokenResponse(sim, 'c1', 'wrong');
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
      const ok = await tokenResponse(sim, 'c1', 's1');
      expect(await ok.json()).toMatchObject({ token_type: 'bearer', expires_in: 60 });
      const t = await token(sim);
      expect((await call(sim, 'nonsense', 'GET', SCRIPTS)).status).toBe(401);
      expect((await call(sim, t, 'GET', SCRIPTS)).status).toBe(200);
      clock.advance(60_000);
      const expired = await call(sim, t, 'GET', SCRIPTS);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ status: 401, code: 'bad.credentials' });
    });
  });

  it('accepts any client with openRegistration and clients added later', async () => {
    await withSim({ openRegistration: true }, async (sim) => {
      expect((await tokenResponse(sim, 'whoever', 'x')).status).toBe(200);
      expect((await tokenResponse(sim, 'whoever', 'y')).status).toBe(401);
    });
    await withSim({}, async (sim) => {
      expect((await tokenResponse(sim, 'late', 'pw')).status).toBe(401);
      const r = await control(sim, 'POST', '/__sim/clients', { id: 'late', secret: 'pw' });
      expect(r.status).toBe(201);
      expect((await tokenResponse(sim, 'late', 'pw')).status).toBe(200);
    });
  });
});

describe('simulator endpoints', () => {
  it('serves the endpoints with Genesys-shaped bodies', async () => {
    await withSim({}, async (sim) => {
      const t = await token(sim);
      const meta = await call(sim, t, 'GET', '/api/v2/conversations/conv-1/recordingmetadata');
      expect(meta.status).toBe(200);
      expect(meta.body[0]).toMatchObject({ conversationId: 'conv-1', media: 'audio', fileState: 'AVAILABLE' });
      const recs = await call(sim, t, 'GET', '/api/v2/conversations/conv-1/recordings');
      expect(recs.body[1]).toMatchObject({ media: 'screen', id: meta.body[1].id });
      expect(recs.body[1].mediaUris.S.mediaUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__sim\/media\//);
      expect((await call(sim, t, 'GET', '/api/v2/recordings/screensessions/details')).body).toEqual({ count: expect.any(Number) });
      const scripts = await call(sim, t, 'GET', '/api/v2/scripts?pageSize=10&pageNumber=5');
      expect(scripts.body).toMatchObject({ pageSize: 10, pageNumber: 5, total: 42, pageCount: 5 });
      expect(scripts.body.entities).toHaveLength(2);
      const q = await call(sim, t, 'POST', '/api/v2/analytics/conversations/details/query', { interval: 'a/b', paging: { pageSize: 5 } });
      expect(q.body.totalHits).toBe(60);
      expect(q.body.conversations[0].participants[0]).toMatchObject({ purpose: 'customer' });
      expect((await call(sim, t, 'POST', '/api/v2/analytics/conversations/details/query', {})).status).toBe(400);
      const msg = await call(sim, t, 'POST', '/api/v2/conversations/messages/conv-2/communications/comm-1/messages', { textBody: 'hello' });
      expect(msg.body).toMatchObject({ textBody: 'hello', direction: 'outbound', status: 'queued' });
      const limits = await call(sim, t, 'GET', '/api/v2/organizations/limits/namespaces/platform.api');
      expect(limits.body.entities).toContainEqual({ key: 'org.app.user.rate.per.minute', namespace: 'platform.api', value: 3000 });
      // Limits without a published API key (per-endpoint IVR updates) are not in the API's answer; token creation
      // (no published key either) is, under the simulator's own key, so preflight can confirm it.
      expect(limits.body.entities.map((e: { key: string }) => e.key)).not.toContain('architect.ivr.update.rate.per.minute');
      expect((await call(sim, t, 'GET', '/api/v2/organizations/limits/namespaces/auth.api')).body).toEqual({
        entities: [{ key: 'token.creation.rate.per.minute', namespace: 'auth.api', value: sim.limits.tokenCreationPerClient }],
      });
    });
  });

  it('answers unknown and non-existent paths with a Genesys 404', async () => {
    await withSim({}, async (sim) => {
      const t = await token(sim);
      for (const path of ['/api/v2/recordings/screens', '/api/v2/screen-recordings/abc', '/api/v2/nothing/here']) {
        const r = await call(sim, t, 'GET', path);
        expect(r.status).toBe(404);
        expect(r.body).toMatchObject({ status: 404, code: 'not.found', errors: [] });
        expect(r.headers.get('inin-ratelimit-count')).not.toBeNull();
      }
      const hint = await call(sim, t, 'GET', '/api/v2/recordings/screens');
      expect(hint.headers.get('x-sim-hint')).toContain('/api/v2/recordings/screensessions/details');
      expect(sim.stats().byEndpoint['GET (unknown)']).toMatchObject({ '4xx': 4 });
    });
  });

  it('404s unknown conversations when strict', async () => {
    await withSim({ conversations: { ids: ['known'], strict: true } }, async (sim) => {
      const t = await token(sim);
      expect((await call(sim, t, 'GET', '/api/v2/conversations/known/recordings')).status).toBe(200);
      expect((await call(sim, t, 'GET', '/api/v2/conversations/other/recordings')).status).toBe(404);
    });
  });
});

describe('conversation details jobs', () => {
  it('progresses QUEUED -> PENDING -> FULFILLED and pages results with a cursor', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, jobs: { queuedMs: 100, pendingMs: 400, resultCount: 7, defaultPageSize: 3 } }, async (sim) => {
      const t = await token(sim);
      const created = await call(sim, t, 'POST', '/api/v2/analytics/conversations/details/jobs', {
        interval: '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z',
      });
      expect(created.status).toBe(202);
      const jobPath = `/api/v2/analytics/conversations/details/jobs/${created.body.jobId}`;
      expect((await call(sim, t, 'GET', jobPath)).body.state).toBe('QUEUED');
      expect((await call(sim, t, 'GET', `${jobPath}/results`)).status).toBe(400);
      clock.advance(100);
      expect((await call(sim, t, 'GET', jobPath)).body.state).toBe('PENDING');
      clock.advance(400);
      const done = await call(sim, t, 'GET', jobPath);
      expect(done.body).toMatchObject({ state: 'FULFILLED', completionDate: expect.any(String), expirationDate: expect.any(String) });
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await call(sim, t, 'GET', `${jobPath}/results${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.dataAvailabilityDate).toEqual(expect.any(String));
        ids.push(...page.body.conversations.map((c: { conversationId: string }) => c.conversationId));
        for (const c of page.body.conversations as { conversationStart: string }[]) {
          expect(c.conversationStart >= '2026-11-01T00:00:00.000Z' && c.conversationStart < '2026-11-02T00:00:00.000Z').toBe(true);
        }
        cursor = page.body.cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(ids).size).toBe(7);
      const big = await call(sim, t, 'GET', `${jobPath}/results?pageSize=100`);
      expect(big.body.conversations).toHaveLength(7);
      expect(big.body.cursor).toBeUndefined();
      expect((await call(sim, t, 'GET', `${jobPath}/results?cursor=garbage`)).status).toBe(400);
      expect((await call(sim, t, 'GET', '/api/v2/analytics/conversations/details/jobs/unknown-job')).status).toBe(404);
      expect((await call(sim, t, 'DELETE', jobPath)).status).toBe(202);
      expect((await call(sim, t, 'GET', jobPath)).body.state).toBe('CANCELLED');
    });
  });
});

describe('request log', () => {
  it('records every API request with its token, status and the wait a 429 asked for, also at /__sim/requests', async () => {
    await withSim({ minuteMs: 1000, limits: { perToken: 1 } }, async (sim) => {
      const tok = await token(sim);
      const get = () => fetch(`${sim.apiBase}/api/v2/scripts`, { headers: { authorization: `Bearer ${tok}` } }).then((r) => r.text());
      await get();
      await get();
      const log = sim.requests();
      expect(log.map((e) => [e.seq, e.endpoint, e.status, e.token])).toEqual([
        [1, 'GET /api/v2/scripts', 200, 'c1#1'],
        [2, 'GET /api/v2/scripts', 429, 'c1#1'],
      ]);
      expect(log[1].retryAfterMs).toBeGreaterThan(0);
      expect(log[1].retryAfterMs).toBeLessThanOrEqual(1000);
      expect(log[1].limit).toBe('client.credentials.token.rate.per.minute');
      expect(log[1].respondedAt).toBeGreaterThanOrEqual(log[1].at);
      const served = (await (await fetch(`${sim.url}/__sim/requests?since=1`)).json()) as { requests: { seq: number }[] };
      expect(served.requests.map((e) => e.seq)).toEqual([2]);
      expect((await fetch(`${sim.url}/__sim/requests?since=x`)).status).toBe(400);
      sim.reset();
      expect(sim.requests()).toEqual([]);
    });
  });

  it('stall=RATE:MS answers late (after processing); onlyEndpoints limits where faults apply', async () => {
    expect(parseFaultsFlag('stall=0.5:2000')).toEqual({ stallRate: 0.5, stallMs: 2000 });
    expect(() => validateFaults({ onlyEndpoints: ['scripts'] })).toThrow(/onlyEndpoints/);
    await withSim({ faults: { stallRate: 1, stallMs: 300, onlyEndpoints: ['GET /api/v2/scripts'] } }, async (sim) => {
      const tok = await token(sim);
      const timed = async (path: string) => {
        const started = Date.now();
        await fetch(`${sim.apiBase}${path}`, { headers: { authorization: `Bearer ${tok}` } }).then((r) => r.text());
        return Date.now() - started;
      };
      expect(await timed('/api/v2/scripts')).toBeGreaterThanOrEqual(290);
      expect(await timed('/api/v2/recordings/screensessions/details')).toBeLessThan(290);
    });
  });
});

describe('declared endpoint limits', () => {
  it('match a template whatever its parameter names, per token, and name the limit in the 429', async () => {
    const limits = catalogueLimits({}, [
      { method: 'GET', path: '/api/v2/conversations/{id}/recordings', requestsPerMinute: 1, scope: 'token' },
    ]);
    expect(limits.endpoints).toEqual([
      {
        method: 'GET',
        path: '/api/v2/conversations/{id}/recordings',
        perWindow: 1,
        scope: 'token',
        name: 'GET /api/v2/conversations/{id}/recordings (token)',
      },
    ]);
    await withSim({ limits }, async (sim) => {
      const a = await token(sim);
      const b = await token(sim);
      const get = (tok: string, id: string) =>
        fetch(`${sim.apiBase}/api/v2/conversations/${id}/recordings`, { headers: { authorization: `Bearer ${tok}` } });
      expect((await get(a, 'c1')).status).toBe(200);
      const refused = await get(a, 'c2');
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { messageParams: { limit: string } }).messageParams.limit).toBe(
        'GET /api/v2/conversations/{id}/recordings (token)',
      );
      expect((await get(b, 'c3')).status).toBe(200); // another token has its own budget
    });
  });
});

/** A raw request (fetch cannot set Host), as a page in a browser could make it. */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('simulator control routes refuse what a web page could send', () => {
  it('answers 415 to a control POST that is not application/json, and changes nothing', async () => {
    await withSim({}, async (sim) => {
      const host = `127.0.0.1:${sim.port}`;
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const r = await raw(sim.port, 'POST', '/__sim/faults', { host, 'content-type': type }, JSON.stringify({ errorRate: 1 }));
        expect(r.status).toBe(415);
        expect(r.body).toMatchObject({ status: 415, code: 'unsupported.media.type' });
      }
      expect((await raw(sim.port, 'POST', '/__sim/reset', { host })).status).toBe(415);
      expect(
        (await raw(sim.port, 'POST', '/__sim/clients', { host, 'content-type': 'text/plain' }, '{"id":"x","secret":"y"}')).status,
      ).toBe(415);
      expect(sim.faults()).toEqual({});
      expect((await tokenResponse(sim, 'x', 'y')).status).toBe(401);
      // application/json, with or without a charset, is accepted.
      const ok = await raw(
        sim.port,
        'POST',
        '/__sim/faults',
        { host, 'content-type': 'application/json; charset=utf-8' },
        '{"errorRate":0.5}',
      );
      expect(ok.status).toBe(200);
      expect(sim.faults()).toEqual({ errorRate: 0.5 });
    });
  });

  it('answers 403 to any other Host (DNS rebinding), reads included, and accepts localhost', async () => {
    await withSim({}, async (sim) => {
      const json = { 'content-type': 'application/json' };
      for (const host of ['evil.example:80', `evil.example:${sim.port}`, '127.0.0.1:1', `127.0.0.1.nip.io:${sim.port}`]) {
        const r = await raw(sim.port, 'POST', '/__sim/faults', { ...json, host }, '{"errorRate":1}');
        expect(r.status).toBe(403);
        expect(r.body).toMatchObject({ status: 403, code: 'forbidden' });
        expect((await raw(sim.port, 'GET', '/__sim/requests', { host })).status).toBe(403);
      }
      expect(sim.faults()).toEqual({});
      expect((await raw(sim.port, 'GET', '/__sim/stats', { host: `localhost:${sim.port}` })).status).toBe(200);
      expect((await control(sim, 'POST', '/__sim/reset')).status).toBe(204);
    });
  });
});
