/**
 * The one endpoint resolver (lib/ratelimits/endpoints.ts): its rule table, and that the planner,
 * the Genesys roles and the JMeter generator all follow it.
 */
import { ConfigError } from '../../lib/config';
import { planRoles } from '../../lib/genesys-tenant/permissions';
import { ENDPOINT_RULES, judgeEndpoint, planBudget, resolveEndpoints, scenarioPlan } from '../../lib/ratelimits';
import { generateTestPlan } from '../../loadtest/jmx/generate';
import type { HttpMethod } from '../../lib/genesys-facts/endpoints';
import { exampleInput, loadFrom } from '../helpers/env';

/** One case per rule, plus an endpoint no rule matches. */
const CASES: [method: HttpMethod, path: string, severity: 'error' | 'warning' | undefined, code: string | undefined][] = [
  ['GET', '/api/v2/recordings/screens', 'error', 'nonexistent-endpoint'],
  ['GET', '/api/v2/users/me', 'error', 'unknown-endpoint'],
  ['GET', '/api/v2/conversations/{conversationId}/recordings/{recordingId}', 'warning', 'per-recording-fetch'],
  ['GET', '/api/v2/conversations/{conversationId}/recordingmetadata', 'warning', 'sync-recording-metadata'],
  ['GET', '/api/v2/conversations/c-1/recordings', 'warning', 'sync-recording-metadata'],
  ['POST', '/api/v2/analytics/conversations/details/query', 'warning', 'sync-analytics-query'],
  ['GET', '/api/v2/scripts/{scriptId}', undefined, undefined],
  ['POST', '/api/v2/analytics/conversations/details/jobs', undefined, undefined],
];

describe('endpoint resolver: the rule table', () => {
  it.each(CASES)('%s %s -> %s %s', (method, path, severity, code) => {
    const f = judgeEndpoint(method, path, 3);
    if (!severity) {
      expect(f).toBeUndefined();
      return;
    }
    expect(f).toMatchObject({ severity, code, index: 3 });
    expect(f!.message.startsWith(`${method} ${path} `)).toBe(true);
  });

  it('has one rule per finding code, errors first, and the first match wins', () => {
    const codes = ENDPOINT_RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    const firstWarning = ENDPOINT_RULES.findIndex((r) => r.severity === 'warning');
    expect(ENDPOINT_RULES.slice(firstWarning).every((r) => r.severity === 'warning')).toBe(true);
    // One recording is recording metadata too: the more specific rule, listed first, wins.
    expect(judgeEndpoint('GET', '/api/v2/conversations/{conversationId}/recordings/{recordingId}')?.code).toBe('per-recording-fetch');
  });

  it('resolves to catalogue templates with shares, leaving out errors', () => {
    const { endpoints, findings } = resolveEndpoints({
      endpoints: [
        { method: 'GET', path: '/api/v2/scripts/abc', weight: 3 },
        { method: 'GET', path: '/api/v2/users/me' },
        { method: 'POST', path: '/api/v2/analytics/conversations/details/query', weight: 1 },
      ],
    });
    expect(endpoints.map((e) => [e.method, e.path, e.kind, e.weight, e.share, e.index])).toEqual([
      ['GET', '/api/v2/scripts/{scriptId}', 'interactive', 3, 0.6, 0],
      ['POST', '/api/v2/analytics/conversations/details/query', 'analytics-query', 1, 0.2, 2],
    ]);
    expect(findings.map((f) => [f.code, f.index])).toEqual([
      ['unknown-endpoint', 1],
      ['sync-analytics-query', 2],
    ]);
  });
});

describe('endpoint resolver: planner, roles and generator agree', () => {
  const scenario = (name: string, path: string, method: HttpMethod = 'GET') => ({
    name,
    endpoints: [{ method, path }],
    virtualUsers: 10,
    requestsPerUserPerMinute: 1,
    durationSec: 600,
  });

  it.each(CASES.filter(([, path]) => !path.includes('c-1')))('%s %s', (method, path, severity, code) => {
    const input = exampleInput();
    input.loadProfile.scenarios = [scenario('s', path, method)];
    const env = loadFrom({ example: input }, 'example');
    const plan = planBudget(env.config);
    const sp = scenarioPlan(plan, 's');
    expect(sp.findings.filter((f) => f.endpoint !== undefined).map((f) => [f.severity, f.code])).toEqual(
      severity ? [[severity, code]] : [],
    );
    if (severity === 'error') {
      expect(sp.verdict).toBe('invalid');
      // No role is derived and no plan generated, each naming the field.
      expect(() => planRoles(env.config, 'example.json')).toThrow(ConfigError);
      expect(() => planRoles(env.config, 'example.json')).toThrow(`loadProfile.scenarios[0].endpoints[0] ${method} ${path}`);
      expect(() => generateTestPlan(env, plan, 's')).toThrow(`loadProfile.scenarios[0].endpoints[0] ${method} ${path}`);
    } else {
      expect(sp.verdict).toBe('ok');
      // The role holds the endpoint's permission and the plan calls it; a warning is passed on, not refused.
      const spec = sp.endpoints[0].spec;
      expect(planRoles(env.config).runner.endpoints).toContain(spec);
      const generated = generateTestPlan(env, plan, 's');
      expect(generated.summary.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([`${spec.method} ${spec.path}`]);
      expect(generated.summary.warnings.filter((w) => w.startsWith('loadProfile.scenarios[0].endpoints[0]'))).toHaveLength(
        severity ? 1 : 0,
      );
    }
  });
});
