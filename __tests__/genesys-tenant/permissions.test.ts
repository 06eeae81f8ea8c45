import { ConfigError } from '../../lib/config';
import { ENDPOINTS, type EndpointSpec } from '../../lib/genesys-facts/endpoints';
import {
  grantsFor,
  parsePermission,
  permissionPolicies,
  permissionsOf,
  planRoles,
  runnerEndpoints,
  workerEndpoints,
} from '../../lib/genesys-tenant/permissions';
import { exampleInput, loadFrom } from '../helpers/env';

const spec = (anyOf: string[], path = '/api/v2/x'): EndpointSpec => ({ method: 'GET', path, kind: 'interactive', anyOf, summary: 'test' });

describe('parsePermission', () => {
  it('splits domain:entity:action', () => {
    expect(parsePermission('recording:screenRecording:view')).toEqual({ domain: 'recording', entity: 'screenRecording', action: 'view' });
  });

  it.each(['*:recording:view', 'recording:*:view', 'recording:recording:*', 'recording:rec*:view'])('rejects the wildcard in %s', (p) => {
    expect(() => parsePermission(p, 'role x')).toThrow(/role x: .* contains a wildcard/);
  });

  it.each(['recording:view', 'a:b:c:d', 'recording::view', '', 'recording:recording:view '])('rejects the malformed %j', (p) => {
    expect(() => parsePermission(p)).toThrow(/not a Genesys permission of the form domain:entity:action/);
  });
});

describe('permissionPolicies', () => {
  it('groups actions of one domain + entity into one policy, sorted and without duplicates', () => {
    const policies = permissionPolicies([
      'recording:recording:view',
      'analytics:conversationDetail:view',
      'recording:recording:editRetention',
      'recording:recording:view',
      'recording:screenRecording:view',
    ]);
    expect(policies).toEqual([
      { domain: 'analytics', entityName: 'conversationDetail', actionSet: ['view'] },
      { domain: 'recording', entityName: 'recording', actionSet: ['editRetention', 'view'] },
      { domain: 'recording', entityName: 'screenRecording', actionSet: ['view'] },
    ]);
    expect(permissionsOf(policies)).toEqual([
      'analytics:conversationDetail:view',
      'recording:recording:editRetention',
      'recording:recording:view',
      'recording:screenRecording:view',
    ]);
  });

  it('refuses a wildcard anywhere', () => {
    expect(() => permissionPolicies(['recording:recording:view', 'analytics:*:view'])).toThrow(/wildcard/);
  });
});

describe('grantsFor', () => {
  it('takes the first permission of each endpoint, and nothing for endpoints that need none', () => {
    const grants = grantsFor([spec(['a:b:view', 'a:c:view'], '/one'), spec(['a:b:view'], '/two'), spec([], '/three')]);
    expect(grants).toEqual([{ permission: 'a:b:view', because: ['GET /one', 'GET /two'] }]);
  });

  it('refuses an endpoint table entry with a wildcard', () => {
    expect(() => grantsFor([spec(['a:*:view'])])).toThrow(/GET \/api\/v2\/x: "a:\*:view" contains a wildcard/);
  });
});

describe('worker endpoints', () => {
  it('the metadata worker calls every recording-metadata endpoint of the catalogue, the report worker the jobs and telemetry ones', () => {
    expect(workerEndpoints('metadataWorker')).toEqual(ENDPOINTS.filter((e) => e.kind === 'recording-metadata'));
    const report = workerEndpoints('reportWorker').map((e) => `${e.method} ${e.path}`);
    expect(report).toEqual(
      expect.arrayContaining([
        'POST /api/v2/analytics/conversations/details/jobs',
        'GET /api/v2/analytics/conversations/details/jobs/{jobId}/results',
        'POST /api/v2/analytics/ratelimits/aggregates/query',
        'POST /api/v2/usage/client/{clientId}/aggregates/query/jobs',
      ]),
    );
    expect(report).not.toContain('POST /api/v2/analytics/conversations/details/query');
  });
});

describe('runnerEndpoints', () => {
  it('is the union of the scenario endpoints, each once', () => {
    const input = exampleInput() as Record<string, any>;
    input.loadProfile.scenarios[1].endpoints.push({ method: 'GET', path: '/api/v2/recordings/screensessions/details' });
    const env = loadFrom({ example: input }, 'example');
    const paths = runnerEndpoints(env.config).map((e) => `${e.method} ${e.path}`);
    expect(paths.filter((p) => p === 'GET /api/v2/recordings/screensessions/details')).toHaveLength(1);
    expect(paths).toContain('GET /api/v2/scripts');
  });

  it('an endpoint the catalogue does not know is a config error naming the scenario endpoint and the fix', () => {
    const input = exampleInput() as Record<string, any>;
    input.loadProfile.scenarios[2].endpoints[1] = { method: 'GET', path: '/api/v2/users/me' };
    // The example's thresholds name the endpoint replaced above: drop them, they are not under test here.
    delete input.loadProfile.scenarios[2].thresholds;
    input.loadProfile.scenarios[0].endpoints[0] = { method: 'GET', path: '/api/v2/recordings/screens' };
    const env = loadFrom({ example: input }, 'example');
    let error: unknown;
    try {
      runnerEndpoints(env.config, 'environments/example.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(
        /^environments\/example\.json: loadProfile\.scenarios\[0\]\.endpoints\[0\] GET \/api\/v2\/recordings\/screens is not a Genesys Cloud Platform API endpoint; call .*screensessions\/details/,
      ),
      expect.stringMatching(
        /^environments\/example\.json: loadProfile\.scenarios\[2\]\.endpoints\[1\] GET \/api\/v2\/users\/me has no known permissions; add it to lib\/genesys-facts\/endpoints\.ts/,
      ),
    ]);
  });
});

describe('planRoles', () => {
  it('gives each caller exactly its endpoints first permissions (plus the documented extras)', () => {
    const env = loadFrom({ example: exampleInput() }, 'example');
    const roles = planRoles(env.config);
    expect(permissionsOf(roles.metadataWorker.policies)).toEqual(['recording:recording:view', 'recording:screenRecording:view']);
    expect(permissionsOf(roles.reportWorker.policies)).toEqual([
      'analytics:conversationDetail:view',
      'analytics:rateLimitAggregate:view',
      'usage:client:view',
    ]);
    expect(permissionsOf(roles.runner.policies)).toEqual([
      'analytics:conversationDetail:view',
      'conversation:message:create',
      'recording:screenRecording:view',
      'scripter:script:view',
    ]);
    for (const g of roles.metadataWorker.grants) expect(g.because.length).toBeGreaterThan(0);
  });
});
