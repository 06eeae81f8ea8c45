import { environmentProblems, expandEnvironments, githubGet, readDeclaredEnvironments } from '../../commands/teardown/github-environments';

const declared = readDeclaredEnvironments();
const mainOnly = { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } };
const reviewed = { ...mainOnly, protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'Team' }] }] };

/** A repository whose environments are exactly as declared, with `override` per API path. */
const repo =
  (override: Record<string, unknown> = {}) =>
  async (apiPath: string): Promise<unknown> => {
    if (apiPath in override) return override[apiPath];
    const [, name, sub] = /^environments\/([^/]+)(?:\/(.+))?$/.exec(apiPath)!;
    if (sub === 'deployment-branch-policies') return { branch_policies: [{ name: 'main', type: 'branch' }] };
    const spec = declared.environments[name] ?? declared.environments['loadlab-<env>'];
    return spec.reviewers ? reviewed : mainOnly;
  };

describe('.github/environments.json', () => {
  it('declares main as the only deployment branch and reviewers wherever the admin client or the deploy role is', () => {
    expect(declared.deploymentBranches).toEqual(['main']);
    for (const [name, spec] of Object.entries(declared.environments)) {
      const admin = spec.secrets.some((s) => s.startsWith('GENESYSCLOUD_ADMIN'));
      if (admin || spec.role === 'deploy') expect({ name, reviewers: spec.reviewers }).toEqual({ name, reviewers: true });
    }
    expect(expandEnvironments(declared, ['example', 'staging']).map(([n]) => n)).toEqual([
      'loadlab-plan',
      'loadlab-ephemeral',
      'loadlab-teardown',
      'loadlab-example',
      'loadlab-staging',
    ]);
  });
});

describe('environmentProblems', () => {
  it('passes a repository set up as declared', async () => {
    await expect(environmentProblems(declared, ['example'], repo())).resolves.toEqual([]);
  });

  it('names each environment that is missing, open to any branch or without its reviewers', async () => {
    const problems = await environmentProblems(
      declared,
      ['example'],
      repo({
        'environments/loadlab-plan': undefined,
        'environments/loadlab-teardown': { deployment_branch_policy: null },
        'environments/loadlab-ephemeral': mainOnly,
        'environments/loadlab-example/deployment-branch-policies': { branch_policies: [{ name: 'main' }, { name: 'feature/*' }] },
      }),
    );
    expect(problems).toEqual([
      'loadlab-plan: missing; create it (Settings → Environments) as .github/environments.json says',
      'loadlab-ephemeral: needs required reviewers (it holds GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYSCLOUD_ADMIN_CLIENT_ID, GENESYSCLOUD_ADMIN_CLIENT_SECRET and the deploy role)',
      'loadlab-teardown: deployment branches must be "Selected branches" limited to main (now any branch)',
      'loadlab-example: deployment branches must be exactly main (now feature/*, main)',
    ]);
  });

  it('reads the repository API with the token and treats 404 as missing', async () => {
    const urls: string[] = [];
    const get = githubGet('o/r', 't', (async (url: string, init: { headers: Record<string, string> }) => {
      urls.push(`${url} ${init.headers.authorization}`);
      return { ok: false, status: 404, json: async () => ({}) };
    }) as unknown as typeof fetch);
    await expect(get('environments/loadlab-plan')).resolves.toBeUndefined();
    expect(urls).toEqual(['https://api.github.com/repos/o/r/environments/loadlab-plan Bearer t']);
  });
});
