import { Testing } from 'cdktf';
import { budgetProblems, guardReport } from '../../lib/guards';
import { planBudget } from '../../lib/ratelimits';
import { exampleInput, loadFrom, synthEnvironment } from '../helpers/env';

/** The example with agent-scripts pinned to one token: 15000 requests/min on a 300/min token. */
function overBudget(patch: (s: any) => void = () => {}): any {
  const raw: any = exampleInput();
  const scripts = raw.loadProfile.scenarios.find((s: any) => s.name === 'agent-scripts');
  scripts.fixedSizing = { shards: 1, tokensPerShard: 1 };
  patch(scripts);
  return raw;
}

describe('budget guard', () => {
  it('lets the example environment synthesize', () => {
    const { stacks } = synthEnvironment(loadFrom({ example: exampleInput() }, 'example'));
    expect(guardReport(stacks.guards).errors).toEqual([]);
    expect(() => Testing.synth(stacks.runners, true)).not.toThrow();
  });

  it('fails synth of an over-budget environment with one clear error per scenario', () => {
    const raw = overBudget();
    raw.loadProfile.scenarios.find((s: any) => s.name === 'messaging').fixedSizing = { shards: 1, tokensPerShard: 1 };
    const { stacks } = synthEnvironment(loadFrom({ example: raw }, 'example'));
    const { errors } = guardReport(stacks.guards);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(
      'budget: scenario agent-scripts is over budget: client.credentials.token.rate.per.minute: 15000 requests/min per token vs 240 allowed (300 less 20 % headroom) with 1 shard x 1 token; ' +
        'also over: org.app.user.rate.per.minute: 15000 requests/min per OAuth client vs 2400 allowed (3000 less 20 % headroom). ' +
        'Fix: remove fixedSizing (or set it to 7 shards x 9 tokens per shard = 7 OAuth clients, 63 tokens), as the planner recommends; ' +
        'or set expectThrottling: true on scenario agent-scripts if throttling is the point of the test',
    );
    expect(errors[1]).toMatch(
      /^budget: scenario messaging is over budget: client\.credentials\.token\.rate\.per\.minute: 1200 requests\/min per token vs 240 allowed/,
    );
    // The same errors fail cdktf's own synthesis (validations), so no synth path skips them.
    expect(() => Testing.synth(stacks.runners, true)).toThrow(/budget: scenario agent-scripts is over budget/);
  });

  it('reports a scenario calling an endpoint that does not exist', () => {
    const raw: any = exampleInput();
    raw.loadProfile.scenarios[0].endpoints = [{ method: 'GET', path: '/api/v2/recordings/screens' }];
    const plan = planBudget(loadFrom({ example: raw }, 'example').config);
    expect(budgetProblems(plan).errors).toEqual([
      expect.stringMatching(
        /^budget: scenario screen-recording is invalid: GET \/api\/v2\/recordings\/screens is not a Genesys Cloud Platform API endpoint; call GET \/api\/v2\/recordings\/screensessions\/details/,
      ),
    ]);
  });

  it('expectThrottling turns the error into a warning annotation', () => {
    const { stacks } = synthEnvironment(loadFrom({ example: overBudget((s) => (s.expectThrottling = true)) }, 'example'));
    const report = guardReport(stacks.guards);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^budget: scenario agent-scripts is over budget \(expectThrottling: a deliberate capacity test\): client\.credentials\.token\.rate\.per\.minute: 15000 requests\/min/,
      ),
      // The example's bot-analytics scenario goes over the assumed (unconfirmed) analytics jobs limits:
      // warnings, not errors, one short line per limit, then one pointer to preflight.
      'budget: scenario bot-analytics goes over 2 unconfirmed limits if the org confirms their defaults:',
      '  genesys.limits.analytics.conversations.details.jobs.concurrent.max = 10 (unconfirmed default): the scenario needs 50 concurrent jobs per org',
      '  genesys.limits.analytics.conversations.details.jobs.submissions.per.minute = 60 (unconfirmed default): the scenario needs 50 requests/min per org, 48 usable',
      'confirm them against your org: npm run preflight -- --env example (see docs/unconfirmed-facts.md)',
    ]);
    for (const w of report.warnings.slice(1)) expect(w.length).toBeLessThanOrEqual(160);
    expect(() => Testing.synth(stacks.runners, true)).not.toThrow();
    const warnings = stacks.runners.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings).toEqual(report.warnings);
  });

  it('fails when the event pipeline needs more than the worker client allows', () => {
    const raw: any = exampleInput();
    raw.pipeline.expectedEventsPerMinute = 5000;
    const { stacks } = synthEnvironment(loadFrom({ example: raw }, 'example'));
    expect(guardReport(stacks.guards).errors).toEqual([
      expect.stringContaining('budget: pipeline: 10000 requests/min (pipeline.expectedEventsPerMinute x pipeline.callsPerEvent)'),
    ]);
  });
});
