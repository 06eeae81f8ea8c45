/**
 * A token-creation storm through every TypeScript client: many fresh token providers of one OAuth
 * client at once, against a simulator whose token-creation limit is far below the demand. The
 * simulator refuses the excess as Genesys Cloud does (HTTP 400 invalid_request "rate limit
 * exceeded"); every client backs off, counts the refusals, and no work is lost.
 */
import { createGenesysClient } from '../../lib/genesys-client';
import { METRIC } from '../../lib/contracts/metrics';
import { planBudget } from '../../lib/ratelimits/planner';
import { InvocationMetrics } from '../../functions/shared/metrics';
import { WorkerClientCache } from '../../functions/shared/genesys';
import { runRehearsal } from '../../rehearsal/simulated';
import { startSimulator, type Simulator } from '../../sim/server';
import { catalogueLimits } from '../../sim/admission';
import { repoEnvironment } from '../helpers/env';

const METADATA = '/api/v2/conversations/c1/recordingmetadata';

/** Token answers of the run, by status (the simulator counts them under their endpoint). */
function tokenRefusals(sim: Simulator, clientId: string): { refused: number; issued: number; '4xx': number; '429': number } {
  const stats = sim.stats();
  const token = stats.byEndpoint['POST /oauth/token'];
  return {
    refused: stats.byClient[clientId]?.tokenRequestsRefused ?? 0,
    issued: stats.byClient[clientId]?.tokensIssued ?? 0,
    '4xx': token['4xx'],
    '429': token['429'],
  };
}

describe('token-creation storm', () => {
  it('the shared client: 12 fresh clients of one OAuth client, 3 tokens per window; all back off on HTTP 400, no call lost', async () => {
    const sim = await startSimulator({ minuteMs: 300, limits: { tokenCreationPerClient: 3 }, clients: [{ id: 'c', secret: 's' }] });
    try {
      const clients = Array.from({ length: 12 }, () =>
        createGenesysClient({
          apiBase: sim.apiBase,
          loginBase: sim.loginBase,
          clientId: 'c',
          clientSecret: 's',
          ratePerMinute: 6000,
          tokenBackoff: { baseMs: 50, maxMs: 400 },
        }),
      );
      const answers = await Promise.all(clients.map((c) => c.get(METADATA)));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
      const refusedByClients = clients.reduce((n, c) => n + c.tokens.throttled, 0);
      const seen = tokenRefusals(sim, 'c');
      expect(seen.issued).toBe(12);
      expect(seen.refused).toBeGreaterThanOrEqual(9);
      expect(refusedByClients).toBe(seen.refused);
      // The platform's form: every refusal was a 400, none a 429.
      expect(seen['4xx']).toBe(seen.refused);
      expect(seen['429']).toBe(0);
    } finally {
      await sim.stop();
    }
  });

  it('the Lambda token provider: 8 cold worker environments at once; each invocation counts TokenThrottled, every call succeeds', async () => {
    const sim = await startSimulator({ minuteMs: 1000, limits: { tokenCreationPerClient: 3 }, clients: [{ id: 'worker', secret: 'w' }] });
    try {
      const settings = { apiBase: sim.apiBase, loginBase: sim.loginBase, secretArn: 'arn:s', ratePerMinute: 6000 };
      const invocations = Array.from({ length: 8 }, () => ({
        cache: new WorkerClientCache(
          () => settings,
          async () => ({ clientId: 'worker', clientSecret: 'w' }),
        ),
        metrics: new InvocationMetrics(),
      }));
      const statuses = await Promise.all(
        invocations.map(async ({ cache, metrics }) => (await (await cache.get(metrics)).get(METADATA)).status),
      );
      expect(statuses).toEqual(Array(8).fill(200));
      const counted = invocations.reduce((n, i) => n + i.metrics.get(METRIC.tokenThrottled), 0);
      const seen = tokenRefusals(sim, 'worker');
      expect(seen.refused).toBeGreaterThanOrEqual(5);
      expect(counted).toBe(seen.refused);
      expect(seen['429']).toBe(0);
      // The count reaches CloudWatch beside the API 429s.
      const throttledOne = invocations.find((i) => i.metrics.get(METRIC.tokenThrottled) > 0)!;
      const emf = throttledOne.metrics.toEmf('worker', 0);
      expect(emf[METRIC.tokenThrottled]).toBeGreaterThan(0);
      expect(emf[METRIC.retryAfterWaitMs]).toBeGreaterThan(0);
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('the TypeScript rehearsal: a shard of 5 tokens against 2 tokens per window; the refusals are counted, no request fails', async () => {
    const env = repoEnvironment('example');
    const budget = planBudget(env.config);
    const plan = budget.scenarios.find((s) => s.name === 'messaging')!;
    expect(plan.sizing.tokensPerShard).toBeGreaterThan(2);
    const limits = catalogueLimits(env.config.genesys.limits);
    const sim = await startSimulator({ minuteMs: 1000, limits: { ...limits, tokenCreationPerClient: 2 }, seed: 1 });
    try {
      const result = await runRehearsal({
        target: sim,
        budget,
        scenario: 'messaging',
        mode: 'planned',
        // A planned rehearsal spans at least two windows.
        scenarioSeconds: 120,
        minuteMs: 1000,
        loadScale: 0.1,
      });
      const refused = Object.values(sim.stats().byClient).reduce((n, c) => n + c.tokenRequestsRefused, 0);
      expect(refused).toBeGreaterThanOrEqual(plan.sizing.shards * (plan.sizing.tokensPerShard - 2));
      expect(result.tokenThrottled).toBe(refused);
      expect(result.tokens).toBe(plan.sizing.tokens);
      expect(result.attempts).toBeGreaterThan(0);
      expect(result.failed).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
