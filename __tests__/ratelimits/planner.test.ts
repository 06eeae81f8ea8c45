import fc from 'fast-check';
import { ConfigError, parseEnvironmentFile, type EnvironmentFile } from '../../lib/config';
import { planBudget, runnerClientSlots, scenarioPlan, type RateBudget, type ScenarioPlan } from '../../lib/ratelimits';
import { CLIENT_LIMIT, LIMIT_CATALOGUE, TOKEN_LIMIT, type LimitSpec } from '../../lib/genesys-facts/limits';
import { exampleInput } from '../helpers/env';

type ScenarioInput = Record<string, unknown>;

/** The example environment with these scenarios instead of its own. */
function envWith(scenarios: ScenarioInput[], patch: (raw: any) => void = () => {}): EnvironmentFile {
  const raw: any = exampleInput();
  raw.loadProfile.scenarios = scenarios;
  patch(raw);
  return parseEnvironmentFile(raw, 'test');
}

const base = { durationSec: 1800 };

/** The five shapes our users' reports describe. */
const USER_REPORTS: Record<string, ScenarioInput> = {
  // 300 agents start a screen recording and immediately GET its metadata, twice a minute each.
  'screen-recording-metadata': {
    name: 'screen-recording-metadata',
    endpoints: [
      { method: 'GET', path: '/api/v2/recordings/screensessions/details' },
      { method: 'GET', path: '/api/v2/conversations/{conversationId}/recordingmetadata' },
    ],
    virtualUsers: 300,
    requestsPerUserPerMinute: 4,
    ...base,
  },
  // 500 agents poll their agent scripts every 2 s.
  'agent-scripts': {
    name: 'agent-scripts',
    endpoints: [{ method: 'GET', path: '/api/v2/scripts/{scriptId}' }],
    virtualUsers: 500,
    requestsPerUserPerMinute: 30,
    ...base,
  },
  // 50 bot sessions query analytics conversation details every 10 s.
  'bot-analytics': {
    name: 'bot-analytics',
    endpoints: [{ method: 'POST', path: '/api/v2/analytics/conversations/details/query' }],
    virtualUsers: 50,
    requestsPerUserPerMinute: 6,
    ...base,
  },
  // 200 users send a message every 10 s.
  messaging: {
    name: 'messaging',
    endpoints: [{ method: 'POST', path: '/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages' }],
    virtualUsers: 200,
    requestsPerUserPerMinute: 6,
    ...base,
  },
  // An archival job with 20 workers fetching each recording individually, 60 a minute each.
  'archive-one-by-one': {
    name: 'archive-one-by-one',
    endpoints: [{ method: 'GET', path: '/api/v2/conversations/{conversationId}/recordings/{recordingId}' }],
    virtualUsers: 20,
    requestsPerUserPerMinute: 60,
    ...base,
  },
};

const oneToken = { shards: 1, tokensPerShard: 1 };

describe('planner: the scenarios of our users reports', () => {
  for (const [name, scenario] of Object.entries(USER_REPORTS)) {
    describe(name, () => {
      it('is flagged when all threads share one token', () => {
        const plan = planBudget(envWith([{ ...scenario, fixedSizing: oneToken }]));
        const s = plan.scenarios[0];
        expect(s.naive.withinBudget).toBe(false);
        expect(s.sizing.withinBudget).toBe(false);
        expect(s.verdict).toBe('over-budget');
        expect(plan.ok).toBe(false);
        const finding = s.findings.find((f) => f.code === 'over-budget');
        expect(finding?.severity).toBe('error');
        // The message names the limit, the computed rate, the allowance and a fix.
        expect(finding?.message).toContain(
          `${TOKEN_LIMIT}: ${s.requestsPerMinute} requests/min per token vs 240 allowed (300 less 20 % headroom)`,
        );
        expect(finding?.message).toMatch(/Fix: remove fixedSizing \(or set it to \d+ shards? x \d+ tokens? per shard/);
      });

      it('passes with the sizing the planner recommends', () => {
        const plan = planBudget(envWith([scenario]));
        const s = plan.scenarios[0];
        expect(s.sizing.withinBudget).toBe(true);
        expect(s.verdict).toBe('ok');
        expect(plan.ok).toBe(true);
        for (const use of s.sizing.uses) expect(use.demand).toBeLessThanOrEqual(use.usable + 1e-9);
        // And the recommended sizing is what fixedSizing would need to pass.
        const pinned = planBudget(
          envWith([{ ...scenario, fixedSizing: { shards: s.sizing.shards, tokensPerShard: s.sizing.tokensPerShard } }]),
        );
        expect(pinned.scenarios[0].verdict).toBe('ok');
      });
    });
  }

  it('sizes 500 agents polling scripts every 2 s: 15000/min needs 7 clients of 9 tokens', () => {
    const s = planBudget(envWith([USER_REPORTS['agent-scripts']])).scenarios[0];
    expect(s.requestsPerMinute).toBe(15000);
    // 15000 / 2400 per client -> 7 clients; 15000 / 7 / 240 per token -> 9 tokens each.
    expect(s.sizing).toMatchObject({ shards: 7, tokensPerShard: 9, tokens: 63, clients: 7 });
    expect(s.sizing.perShardRequestsPerMinute).toBeCloseTo(15000 / 7);
    expect(s.threadsPerShard).toBe(72);
    expect(s.naive.binding.limit).toBe(TOKEN_LIMIT);
    expect(s.naive.binding.utilisation).toBe(50);
  });

  it('warns about synchronous metadata, the analytics query and per-recording fetches, naming what to use instead', () => {
    const plan = planBudget(envWith(Object.values(USER_REPORTS)));
    const codes = (name: string): string[] => scenarioPlan(plan, name).findings.map((f) => f.code);
    expect(codes('screen-recording-metadata')).toEqual(['sync-recording-metadata']);
    expect(codes('bot-analytics')).toEqual(['sync-analytics-query']);
    expect(codes('archive-one-by-one')).toEqual(['per-recording-fetch']);
    expect(scenarioPlan(plan, 'bot-analytics').findings[0].message).toContain('POST /api/v2/analytics/conversations/details/jobs');
    expect(scenarioPlan(plan, 'archive-one-by-one').findings[0].message).toContain('POST /api/v2/recording/jobs');
    expect(plan.ok).toBe(true);
  });
});

describe('planner: verdicts', () => {
  it('flags endpoints that do not exist and names the real ones', () => {
    const plan = planBudget(
      envWith([
        {
          name: 'screens',
          endpoints: [{ method: 'GET', path: '/api/v2/recordings/screens' }],
          virtualUsers: 10,
          requestsPerUserPerMinute: 1,
          ...base,
        },
        {
          name: 'screen-by-id',
          endpoints: [{ method: 'GET', path: '/api/v2/screen-recordings/abc-123' }],
          virtualUsers: 10,
          requestsPerUserPerMinute: 1,
          ...base,
        },
      ]),
    );
    expect(plan.scenarios.map((s) => s.verdict)).toEqual(['invalid', 'invalid']);
    expect(plan.ok).toBe(false);
    expect(plan.scenarios[0].findings[0].message).toContain('GET /api/v2/recordings/screensessions/details');
    expect(plan.scenarios[1].findings[0].message).toContain('GET /api/v2/conversations/{conversationId}/recordings');
  });

  it('rejects endpoints outside the catalogue', () => {
    const s = planBudget(
      envWith([
        { name: 'x', endpoints: [{ method: 'GET', path: '/api/v2/nothing/here' }], virtualUsers: 1, requestsPerUserPerMinute: 1, ...base },
      ]),
    ).scenarios[0];
    expect(s.verdict).toBe('invalid');
    expect(s.findings[0].code).toBe('unknown-endpoint');
  });

  it('expectThrottling turns over-budget into a warning and keeps the plan ok', () => {
    const plan = planBudget(envWith([{ ...USER_REPORTS['agent-scripts'], fixedSizing: oneToken, expectThrottling: true }]));
    const s = plan.scenarios[0];
    expect(s.verdict).toBe('throttling-expected');
    // One shard at 15000/min is also more than a 2 vCPU task carries: a shard-capacity warning.
    expect(s.findings.map((f) => [f.severity, f.code])).toEqual([
      ['warning', 'over-budget'],
      ['warning', 'shard-capacity'],
    ]);
    expect(s.findings[0].message).not.toContain('set expectThrottling');
    expect(plan.ok).toBe(true);
  });

  it('an org with raised limits (environment override) needs fewer tokens', () => {
    const raised = planBudget(
      envWith([USER_REPORTS['agent-scripts']], (raw) => (raw.genesys.limits = { [TOKEN_LIMIT]: 600, 'token.rate.per.minute': 600 })),
    );
    const s = raised.scenarios[0];
    expect(s.sizing.tokensPerShard).toBe(5); // 15000 / 7 / 480
    expect(raised.limits.find((l) => l.name === TOKEN_LIMIT)).toMatchObject({ value: 600, overridden: true, defaultValue: 300 });
  });

  it('the lower of the two token limits binds', () => {
    const plan = planBudget(envWith([USER_REPORTS.messaging], (raw) => (raw.genesys.limits = { 'token.rate.per.minute': 150 })));
    expect(plan.usablePerToken).toBe(120);
    expect(plan.scenarios[0].sizing.binding.limit).toBe('token.rate.per.minute');
  });

  it('a wider headroom buys more tokens', () => {
    const at20 = planBudget(envWith([USER_REPORTS.messaging])).scenarios[0];
    const at50 = planBudget(envWith([USER_REPORTS.messaging], (raw) => (raw.loadProfile.headroomPercent = 50))).scenarios[0];
    expect(at20.sizing.tokens).toBe(5); // 1200 / 240
    expect(at50.sizing.tokens).toBe(8); // 1200 / 150
  });

  it('caps OAuth clients at genesys.maxRunnerClients', () => {
    const plan = planBudget(envWith([USER_REPORTS['agent-scripts']], (raw) => (raw.genesys.maxRunnerClients = 5)));
    expect(plan.scenarios[0].verdict).toBe('over-budget');
    expect(plan.scenarios[0].findings.map((f) => f.code)).toContain('client-cap');
    expect(plan.scenarios[0].findings.find((f) => f.code === 'client-cap')?.message).toContain('genesys.maxRunnerClients is 5');
  });

  it('reports the environment-wide client pool when scenarios together exceed it', () => {
    const plan = planBudget(
      envWith(
        [USER_REPORTS['agent-scripts'], { ...USER_REPORTS['agent-scripts'], name: 'agent-scripts-2' }],
        (raw) => (raw.genesys.maxRunnerClients = 10),
      ),
    );
    expect(plan.runnerClients).toBe(14);
    expect(plan.findings.map((f) => f.code)).toEqual(['client-cap']);
    expect(plan.ok).toBe(false);
  });

  it('spreads notification channels so no client passes 20 (a 21st evicts the oldest)', () => {
    const s = planBudget(
      envWith([
        {
          name: 'channels',
          endpoints: [{ method: 'POST', path: '/api/v2/notifications/channels' }],
          virtualUsers: 100,
          requestsPerUserPerMinute: 0.1,
          ...base,
        },
      ]),
    ).scenarios[0];
    expect(s.sizing.shards).toBe(5);
    expect(s.sizing.uses.find((u) => u.limit === 'notifications.channels.per.user.app.max')).toMatchObject({
      demand: 20,
      usable: 20,
    });
    const one = planBudget(
      envWith([
        {
          name: 'channels',
          endpoints: [{ method: 'POST', path: '/api/v2/notifications/channels' }],
          virtualUsers: 100,
          requestsPerUserPerMinute: 0.1,
          fixedSizing: oneToken,
          ...base,
        },
      ]),
    ).scenarios[0];
    expect(one.verdict).toBe('over-budget');
    expect(one.sizing.binding.limit).toBe('notifications.channels.per.user.app.max');
  });

  it('spreads token creation over more clients when the ramp-up is too short', () => {
    // 15000/min with no ramp-up: 9 tokens per client fit in a minute (96 usable); shrink the creation limit to 5.
    const s = planBudget(
      envWith(
        [{ ...USER_REPORTS['agent-scripts'], rampUpSec: 0 }],
        (raw) => (raw.genesys.limits = { 'auth.token.creation.rate.per.minute': 5 }),
      ),
    ).scenarios[0];
    expect(s.sizing.withinBudget).toBe(true);
    expect(s.sizing.tokensPerShard).toBeLessThanOrEqual(4);
    expect(s.sizing.shards).toBeGreaterThan(7);
  });

  it('org-wide and per-endpoint limits cannot be sharded away: the fix says lower the rate', () => {
    const catalogue: LimitSpec[] = [
      ...LIMIT_CATALOGUE,
      {
        name: 'scripts.read.rate.per.minute',
        namespace: 'platform.api',
        value: 1000,
        unit: 'requests/min',
        kind: 'rate',
        scope: 'endpoint',
        appliesTo: ['GET /api/v2/scripts/{scriptId}'],
        confidence: 'community',
        source: 'test',
      },
    ];
    const plan = planBudget(envWith([USER_REPORTS['agent-scripts']]), { catalogue });
    const s = plan.scenarios[0];
    expect(s.verdict).toBe('over-budget');
    expect(s.sizing.binding).toMatchObject({
      limit: 'scripts.read.rate.per.minute',
      demand: 15000,
      usable: 800,
      adjustable: false,
    });
    expect(s.findings[0].message).toContain('sharding cannot help with scripts.read.rate.per.minute');
    expect(s.findings[0].message).toContain('lower the rate to 800 requests/min (e.g. virtualUsers <= 26)');
  });

  it('recording bulk jobs: at most 2 per org whatever the sizing', () => {
    const s = planBudget(
      envWith([
        {
          name: 'bulk',
          endpoints: [{ method: 'POST', path: '/api/v2/recording/jobs' }],
          virtualUsers: 5,
          requestsPerUserPerMinute: 1,
          ...base,
        },
      ]),
    ).scenarios[0];
    const jobs = s.sizing.uses.find((u) => u.limit === 'recording.bulk.jobs.concurrent.max');
    expect(jobs).toMatchObject({ demand: 5, usable: 2, withinBudget: false, adjustable: false });
    expect(s.findings.find((f) => f.code === 'over-budget')?.message).toContain('at most 2 recording bulk jobs run at once per org');
  });
});

describe('planner: workers and the client pool', () => {
  it('sizes the metadata worker from the event rate', () => {
    const plan = planBudget(
      envWith([USER_REPORTS.messaging], (raw) => (raw.pipeline = { expectedEventsPerMinute: 600, callsPerEvent: 2 })),
    );
    expect(plan.metadataWorker).toMatchObject({
      concurrency: 5,
      requestsPerMinute: 1200,
      requestsPerMinutePerInvocation: 240,
      withinBudget: true,
    });
    expect(plan.reportWorker.concurrency).toBe(2);
  });

  it('fails when the pipeline needs more than one worker client may make', () => {
    const plan = planBudget(
      envWith([USER_REPORTS.messaging], (raw) => (raw.pipeline = { expectedEventsPerMinute: 2000, callsPerEvent: 2 })),
    );
    expect(plan.metadataWorker.withinBudget).toBe(false);
    expect(plan.ok).toBe(false);
    expect(plan.findings[0].message).toContain(`exceeds the metadata worker's OAuth client allowance of 2400/min`);
    expect(plan.findings[0].limit).toBe(CLIENT_LIMIT);
  });

  it('runnerClientSlots hands out one client per shard with the threads spread evenly', () => {
    const plan = planBudget(envWith([USER_REPORTS['agent-scripts'], USER_REPORTS.messaging]));
    const slots = runnerClientSlots(plan);
    expect(slots).toHaveLength(plan.runnerClients);
    expect(slots.map((s) => s.index)).toEqual([...Array(plan.runnerClients).keys()]);
    const scripts = slots.filter((s) => s.scenario === 'agent-scripts');
    expect(scripts.reduce((sum, s) => sum + s.threads, 0)).toBe(500);
    expect(scripts.reduce((sum, s) => sum + s.targetRequestsPerMinute, 0)).toBe(15000);
    expect(Math.max(...scripts.map((s) => s.threads)) - Math.min(...scripts.map((s) => s.threads))).toBeLessThanOrEqual(1);
    expect(plan.scenarios[1].firstClientIndex).toBe(7);
    expect(() => scenarioPlan(plan, 'nope')).toThrow(ConfigError);
    expect(() => scenarioPlan(plan, 'nope')).toThrow(
      '--scenario: no scenario "nope" in environment example; choose one of agent-scripts, messaging',
    );
  });
});

describe('planner: properties', () => {
  const scenarioArb = fc.record({
    virtualUsers: fc.integer({ min: 1, max: 3000 }),
    requestsPerUserPerMinute: fc.integer({ min: 1, max: 60 }),
    headroomPercent: fc.integer({ min: 0, max: 60 }),
    maxThreadsPerShard: fc.integer({ min: 1, max: 500 }),
  });

  it('the recommended sizing keeps every per-token and per-client limit within budget, and is minimal per shard count', () => {
    fc.assert(
      fc.property(scenarioArb, (p) => {
        const env = envWith(
          [
            {
              name: 'p',
              endpoints: [{ method: 'GET', path: '/api/v2/scripts' }],
              virtualUsers: p.virtualUsers,
              requestsPerUserPerMinute: p.requestsPerUserPerMinute,
              ...base,
            },
          ],
          (raw) => {
            raw.loadProfile.headroomPercent = p.headroomPercent;
            raw.loadProfile.maxThreadsPerShard = p.maxThreadsPerShard;
            raw.genesys.maxRunnerClients = 500;
          },
        );
        const plan: RateBudget = planBudget(env);
        const s: ScenarioPlan = plan.scenarios[0];
        const rate = p.virtualUsers * p.requestsPerUserPerMinute;
        // One user can never be split: only then may a per-client limit stay over.
        if (rate / s.sizing.shards <= plan.usablePerClient + 1e-9) {
          expect(s.sizing.withinBudget).toBe(true);
          // One token fewer per shard would break the per-token limit (or there is only one).
          if (s.sizing.tokensPerShard > 1)
            expect(rate / (s.sizing.shards * (s.sizing.tokensPerShard - 1))).toBeGreaterThan(plan.usablePerToken);
        }
        expect(s.threadsPerShard).toBeLessThanOrEqual(p.maxThreadsPerShard);
        expect(s.sizing.tokens).toBe(s.sizing.shards * s.sizing.tokensPerShard);
      }),
      { numRuns: 200 },
    );
  });
});
