import { parseEnvironmentFile, type EnvironmentFile } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits';
import { parseEndpointLimitFlag } from '../../lib/ratelimits/endpoint-limits';
import { formatBudget } from '../../lib/ratelimits/report';
import { exampleInput } from '../helpers/env';

const SEND = '/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages';
const JOBS = '/api/v2/analytics/conversations/details/jobs';

function env(scenarios: Record<string, unknown>[], patch: (raw: any) => void = () => {}): EnvironmentFile {
  const raw: any = exampleInput();
  raw.loadProfile.scenarios = scenarios;
  patch(raw);
  return parseEnvironmentFile(raw, 'test');
}

const messaging = (virtualUsers: number, perUser = 60) => ({
  name: 'messaging',
  endpoints: [{ method: 'POST', path: SEND }],
  virtualUsers,
  requestsPerUserPerMinute: perUser,
  durationSec: 1800,
});

describe('genesys.endpointLimits in the planner', () => {
  it('an org-scope endpoint limit is over budget whatever the tokens, and the fix says so', () => {
    // 200 users x 60/min = 12000 message sends/min; the org allows ~100/s = 6000/min.
    const plan = planBudget(
      env([messaging(200)], (raw) => {
        raw.genesys.endpointLimits = [{ method: 'POST', path: SEND, requestsPerMinute: 6000, scope: 'org', name: 'message.sends.per.org' }];
      }),
    );
    const s = plan.scenarios[0];
    expect(s.verdict).toBe('over-budget');
    expect(s.sizing.binding).toMatchObject({
      limit: 'message.sends.per.org',
      demand: 12000,
      usable: 4800,
      adjustable: false,
    });
    // More tokens or clients are not offered as a fix.
    const msg = s.findings.find((f) => f.code === 'over-budget')!.message;
    expect(msg).toContain('no number of tokens or OAuth clients raises it');
    expect(msg).toContain("lower the scenario's rate to 4800 requests/min (e.g. virtualUsers <= 80)");
    expect(plan.ok).toBe(false);
    // The same with 80 users fits.
    const fits = planBudget(
      env([messaging(80)], (raw) => {
        raw.genesys.endpointLimits = [{ method: 'POST', path: SEND, requestsPerMinute: 6000, scope: 'org' }];
      }),
    );
    expect(fits.scenarios[0].verdict).toBe('ok');
  });

  it('a per-client endpoint limit adds OAuth clients (shards); a per-token one adds tokens', () => {
    const perClient = planBudget(
      env([messaging(100, 12)], (raw) => {
        raw.genesys.endpointLimits = [{ method: 'POST', path: SEND, requestsPerMinute: 300, scope: 'client' }];
      }),
    ).scenarios[0];
    // 1200/min over clients of 240 usable each: 5 shards.
    expect(perClient.sizing.shards).toBe(5);
    expect(perClient.verdict).toBe('ok');
    const perToken = planBudget(
      env([messaging(100, 12)], (raw) => {
        raw.genesys.endpointLimits = [{ method: 'POST', path: SEND, requestsPerMinute: 60, scope: 'token' }];
      }),
    ).scenarios[0];
    // 1200/min over tokens of 48 usable each: 25 tokens.
    expect(perToken.sizing.tokens).toBeGreaterThanOrEqual(25);
    expect(perToken.verdict).toBe('ok');
    expect(perToken.sizing.uses.find((u) => u.limit === `POST ${SEND} (token)`)!.withinBudget).toBe(true);
  });

  it('rejects a bad declaration naming the field', () => {
    expect(() =>
      env([messaging(10)], (raw) => {
        raw.genesys.endpointLimits = [{ method: 'POST', path: 'api/v2/x', requestsPerMinute: 0, scope: 'world' }];
      }),
    ).toThrow(
      /endpointLimits\[0\]\.path must be[\s\S]*endpointLimits\[0\]\.requestsPerMinute must be[\s\S]*endpointLimits\[0\]\.scope must be one of org, client, token/,
    );
    expect(() =>
      env([messaging(10)], (raw) => {
        raw.genesys.endpointLimits = [
          { method: 'POST', path: SEND, requestsPerMinute: 10, scope: 'org' },
          { method: 'POST', path: SEND, requestsPerMinute: 20, scope: 'org' },
        ];
      }),
    ).toThrow(/genesys\.endpointLimits\[1\] declares POST .* a second time/);
  });
});

describe('analytics details jobs limits', () => {
  const bot = { name: 'bot', endpoints: [{ method: 'POST', path: JOBS }], virtualUsers: 50, requestsPerUserPerMinute: 1, durationSec: 600 };

  it('warns (not errors) while the values are the unconfirmed assumptions', () => {
    const s = planBudget(env([bot])).scenarios[0];
    expect(s.verdict).toBe('ok');
    const codes = s.findings.map((f) => [f.code, f.limit]);
    expect(codes).toContainEqual(['unconfirmed-limit', 'analytics.conversations.details.jobs.concurrent.max']);
    expect(codes).toContainEqual(['unconfirmed-limit', 'analytics.conversations.details.jobs.submissions.per.minute']);
    expect(s.findings.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('is a budget error once the environment sets the values', () => {
    const s = planBudget(
      env([bot], (raw) => {
        raw.genesys.limits = { 'analytics.conversations.details.jobs.concurrent.max': 20 };
      }),
    ).scenarios[0];
    expect(s.verdict).toBe('over-budget');
    expect(s.sizing.binding).toMatchObject({ limit: 'analytics.conversations.details.jobs.concurrent.max', demand: 50 });
  });
});

describe('token creation over the ramp-up', () => {
  const scripts = (rampUpSec: number) => ({
    name: 'scripts',
    endpoints: [{ method: 'GET', path: '/api/v2/scripts' }],
    virtualUsers: 500,
    requestsPerUserPerMinute: 30,
    durationSec: 1800,
    rampUpSec,
  });

  it('spreads the tokens over the ramp-up and says so', () => {
    const slow = planBudget(env([scripts(300)], (raw) => (raw.genesys.limits = { 'auth.token.creation.rate.per.minute': 4 })));
    const s = slow.scenarios[0];
    // 3.2 tokens/min usable over 5 minutes = 16 tokens per client: 9 tokens per shard fit.
    expect(s.tokenCreation).toMatchObject({ overMinutes: 5, tokensPerClient: s.sizing.tokensPerShard });
    expect(s.tokenCreation.tokensPerMinute).toBeLessThanOrEqual(3.2);
    expect(s.tokenCreation.assumption).toMatch(/created over the 300 s ramp-up \(5 min\)/);
    // The text wraps at 100 columns; unwrap it before looking for the sentence.
    expect(formatBudget(slow).replace(/\n +/g, ' ')).toContain(`scripts: ${s.tokenCreation.assumption}`);
  });

  it('counts a ramp-up under a minute as one minute, needing more clients', () => {
    const fast = planBudget(env([scripts(20)], (raw) => (raw.genesys.limits = { 'auth.token.creation.rate.per.minute': 4 }))).scenarios[0];
    const slow = planBudget(env([scripts(300)], (raw) => (raw.genesys.limits = { 'auth.token.creation.rate.per.minute': 4 }))).scenarios[0];
    expect(fast.tokenCreation.overMinutes).toBe(1);
    expect(fast.tokenCreation.assumption).toMatch(/counted as one minute/);
    expect(fast.sizing.tokensPerShard).toBeLessThanOrEqual(3);
    expect(fast.sizing.shards).toBeGreaterThan(slow.sizing.shards);
    expect(fast.verdict).toBe('ok');
  });
});

describe('--endpoint-limit flag', () => {
  it('reads METHOD PATH=N/min|s/scope', () => {
    expect(parseEndpointLimitFlag(`POST ${SEND}=100/s/org`)).toEqual({ method: 'POST', path: SEND, requestsPerMinute: 6000, scope: 'org' });
    expect(parseEndpointLimitFlag('get /api/v2/scripts=50/min/token')).toEqual({
      method: 'GET',
      path: '/api/v2/scripts',
      requestsPerMinute: 50,
      scope: 'token',
    });
    expect(() => parseEndpointLimitFlag('POST /api/v2/x=6000')).toThrow(/METHOD PATH=N\/min\|s\/org\|client\|token/);
  });
});
