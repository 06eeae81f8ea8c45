import { parseFaultsFlag, validateFaults } from '../../sim/faults';
import { call, control, manualClock, token, tokenResponse, withSim } from './helpers';

describe('simulator faults', () => {
  it('answers the configured share of calls with 5xx', async () => {
    await withSim({ faults: { errorRate: 0.3, errorStatus: 502 }, seed: 42 }, async (sim) => {
      const t = await token(sim);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await call(sim, t, 'GET', '/api/v2/scripts')).status);
      const errors = statuses.filter((s) => s === 502).length;
      expect(statuses.every((s) => s === 200 || s === 502)).toBe(true);
      expect(errors).toBeGreaterThan(35);
      expect(errors).toBeLessThan(85);
      expect(sim.stats().byEndpoint['GET /api/v2/scripts']['5xx']).toBe(errors);
      expect(
        sim
          .requests()
          .filter((e) => e.status === 502)
          .every((e) => e.injected === 'errorRate'),
      ).toBe(true);
    });
  });

  it("logs a real limit's 429 under the limit's name and an injected one under its fault, so the log tells them apart", async () => {
    await withSim({ limits: { perToken: 2 }, faults: { throttleRate: 0 } }, async (sim) => {
      const t = await token(sim);
      for (let i = 0; i < 3; i++) await call(sim, t, 'GET', '/api/v2/scripts');
      const real = sim.requests().filter((e) => e.status === 429);
      expect(real).toHaveLength(1);
      expect(real[0].limit).toMatch(/token\.rate\.per\.minute$/);
      expect(real[0].injected).toBeUndefined();
    });
  });

  it('sends 429 without Retry-After when asked', async () => {
    await withSim({ limits: { perToken: 1 }, faults: { missingRetryAfterRate: 1 } }, async (sim) => {
      const t = await token(sim);
      await call(sim, t, 'GET', '/api/v2/scripts');
      const r = await call(sim, t, 'GET', '/api/v2/scripts');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBeNull();
      expect(r.headers.get('x-sim-retry-after-ms')).toBeNull();
      expect(r.body.code).toBe('too.many.requests.retry.after');
    });
  });

  it('injects 429s with Retry-After although the limits have room (throttleRate)', async () => {
    await withSim({ faults: { throttleRate: 0.25, throttleRetryAfterMs: 1500 }, seed: 7 }, async (sim) => {
      const t = await token(sim);
      const replies = [];
      for (let i = 0; i < 200; i++) replies.push(await call(sim, t, 'GET', '/api/v2/scripts'));
      const throttled = replies.filter((r) => r.status === 429);
      expect(replies.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      expect(throttled.length).toBeGreaterThan(30);
      expect(throttled.length).toBeLessThan(70);
      expect(throttled[0].headers.get('retry-after')).toBe('2');
      expect(throttled[0].headers.get('x-sim-retry-after-ms')).toBe('1500');
      expect(throttled[0].body.code).toBe('too.many.requests.retry.after');
      expect(sim.stats().byEndpoint['GET /api/v2/scripts']['429']).toBe(throttled.length);
      // The request log keeps the pause each injected 429 asked for (pausedTokenViolations reads it).
      const logged = sim.requests().filter((e) => e.status === 429);
      expect(logged).toHaveLength(throttled.length);
      expect(logged.every((e) => e.retryAfterMs === 1500)).toBe(true);
      // ... and marks each as injected, naming the fault, never under a real limit's name.
      expect(logged.every((e) => e.injected === 'throttleRate' && e.limit === undefined)).toBe(true);
      expect(
        sim
          .requests()
          .filter((e) => e.status === 200)
          .every((e) => e.injected === undefined),
      ).toBe(true);
    });
    expect(parseFaultsFlag('throttle=0.02,throttle-retry-after-ms=3000')).toEqual({ throttleRate: 0.02, throttleRetryAfterMs: 3000 });
    expect(() => validateFaults({ throttleRate: 2 })).toThrow('faults.throttleRate must be a number from 0 to 1');
    expect(() => validateFaults({ throttleRetryAfterMs: 0 })).toThrow('faults.throttleRetryAfterMs must be a number >= 1');
  });

  it('throttles the very first calls (throttleFirst), then only at throttleRate', async () => {
    await withSim({ faults: { throttleFirst: 3, throttleRetryAfterMs: 2500 } }, async (sim) => {
      const t = await token(sim);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(sim, t, 'GET', '/api/v2/scripts')).status);
      expect(statuses).toEqual([429, 429, 429, 200, 200, 200]);
      expect(
        sim
          .requests()
          .filter((e) => e.status === 429)
          .every((e) => e.retryAfterMs === 2500),
      ).toBe(true);
    });
    expect(parseFaultsFlag('throttle-first=5,token-limit-first=2,token-drop-first=1')).toEqual({
      throttleFirst: 5,
      tokenLimitFirst: 2,
      tokenDropFirst: 1,
    });
    expect(() => validateFaults({ tokenDropFirst: 1.5 })).toThrow('faults.tokenDropFirst must be a whole number >= 0 (got 1.5)');
  });

  it('drops, then refuses with the token-creation 400, the first token requests (tokenDropFirst, tokenLimitFirst)', async () => {
    await withSim({ faults: { tokenDropFirst: 2, tokenLimitFirst: 2 } }, async (sim) => {
      for (let i = 0; i < 2; i++) await expect(tokenResponse(sim, 'c1', 's1')).rejects.toThrow();
      for (let i = 0; i < 2; i++) {
        const r = await tokenResponse(sim, 'c1', 's1');
        expect(r.status).toBe(400);
        expect(await r.json()).toEqual({ error: 'invalid_request', description: expect.stringContaining('rate limit exceeded') });
      }
      expect((await tokenResponse(sim, 'c1', 's1')).status).toBe(200);
    });
  });

  it('keeps recordings 404 until the delay has passed since the conversation was first seen', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, faults: { recordingsAvailableAfterMs: 5000 } }, async (sim) => {
      const t = await token(sim);
      expect((await call(sim, t, 'GET', '/api/v2/conversations/c-9/recordingmetadata')).status).toBe(404);
      clock.advance(4999);
      expect((await call(sim, t, 'GET', '/api/v2/conversations/c-9/recordings')).status).toBe(404);
      clock.advance(1);
      expect((await call(sim, t, 'GET', '/api/v2/conversations/c-9/recordings')).status).toBe(200);
      expect((await call(sim, t, 'GET', '/api/v2/conversations/c-10/recordings')).status).toBe(404);
    });
  });

  it('fails jobs at the configured rate', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, faults: { jobFailureRate: 1 }, jobs: { queuedMs: 0, pendingMs: 10 } }, async (sim) => {
      const t = await token(sim);
      const { body } = await call(sim, t, 'POST', '/api/v2/analytics/conversations/details/jobs', { interval: 'a/b' });
      clock.advance(10);
      const status = await call(sim, t, 'GET', `/api/v2/analytics/conversations/details/jobs/${body.jobId}`);
      expect(status.body).toMatchObject({ state: 'FAILED', errorMessage: expect.stringContaining('Simulated') });
      expect(sim.stats().jobs.FAILED).toBe(1);
    });
  });

  it('adds latency and can change faults through the control endpoint', async () => {
    await withSim({}, async (sim) => {
      const t = await token(sim);
      const r = await control(sim, 'POST', '/__sim/faults', { latency: { kind: 'fixed', ms: 150 } });
      expect(await r.json()).toEqual({ latency: { kind: 'fixed', ms: 150 } });
      const started = performance.now();
      await call(sim, t, 'GET', '/api/v2/scripts');
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      const bad = await control(sim, 'POST', '/__sim/faults', { errorRate: 5 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain('faults.errorRate');
      expect(sim.faults()).toEqual({ latency: { kind: 'fixed', ms: 150 } });
    });
  });
});
