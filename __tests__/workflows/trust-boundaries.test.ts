/**
 * Each row of the trigger × credential matrix in docs/security.md, proven on the workflow files:
 * no job that runs code a writer controls gets deploy credentials or a Genesys secret without a
 * reviewer; credentials come only in GitHub environments declared in .github/environments.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { readDeclaredEnvironments } from '../../commands/teardown/github-environments';

const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, '.github', 'workflows');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
  secrets?: unknown;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const raw = (f: string): string => readFileSync(path.join(DIR, f), 'utf8');
const workflows = Object.fromEntries(files.map((f) => [f, parse(raw(f)) as Workflow])) as Record<string, Workflow>;
const jobs = Object.entries(workflows).flatMap(([f, w]) =>
  Object.entries(w.jobs).map(([id, j]) => ({ where: `${f}:${id}`, file: f, id, job: j })),
);
const declared = readDeclaredEnvironments(ROOT);
const roleOf = (job: Job): string | undefined =>
  (job.steps ?? []).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume'] as
    string | undefined;
const text = (job: Job): string => JSON.stringify(job);

/** The GitHub environments a job can run in: its literal `environment`, or every value its resolve job can write. */
function environmentsOf(file: string, job: Job): string[] {
  if (!job.environment) return [];
  if (!job.environment.includes('${{')) return [job.environment];
  const script = workflows[file].jobs.resolve.steps!.map((s) => s.run ?? '').join('\n');
  return [...script.matchAll(/github_environment="([^"]+)"/g)].map((m) => m[1].replace('${REQUESTED}', '<env>'));
}

describe('trust boundaries (docs/security.md)', () => {
  it('jobs on branch-controlled triggers get the pr-plan role at most: no environment, no secret', () => {
    const prJobs = jobs.filter(({ file }) => 'pull_request' in workflows[file].on);
    expect(prJobs.length).toBeGreaterThan(0);
    for (const { where, job } of prJobs) {
      expect({ where, secrets: /secrets\./.test(text(job)) }).toEqual({ where, secrets: false });
      expect({ where, environment: job.environment }).toEqual({ where, environment: undefined });
      const role = roleOf(job);
      if (job.permissions?.['id-token'] === 'write') expect({ where, role }).toEqual({ where, role: '${{ vars.AWS_PR_PLAN_ROLE_ARN }}' });
    }
  });

  it('every other job with an OIDC token runs in a declared GitHub environment and assumes that environment role', () => {
    const roleVar: Record<string, string> = {
      'main-plan': 'AWS_MAIN_PLAN_ROLE_ARN',
      deploy: 'AWS_DEPLOY_ROLE_ARN',
      teardown: 'AWS_TEARDOWN_ROLE_ARN',
    };
    for (const { where, file, job } of jobs) {
      if (job.permissions?.['id-token'] !== 'write' || 'pull_request' in workflows[file].on || job.uses) continue;
      const envs = environmentsOf(file, job);
      expect({ where, environments: envs.length > 0 }).toEqual({ where, environments: true });
      const role = roleOf(job) ?? '';
      for (const env of envs) {
        const spec = declared.environments[env];
        expect({ where, env, declared: spec !== undefined }).toEqual({ where, env, declared: true });
        expect({ where, env, role: role.includes(`vars.${roleVar[spec.role]}`) }).toEqual({ where, env, role: true });
      }
    }
  });

  it('every GitHub environment a workflow names is declared, and every declared one is used', () => {
    const used = new Set(jobs.flatMap(({ file, job }) => environmentsOf(file, job)));
    expect([...used].sort()).toEqual(Object.keys(declared.environments).sort());
  });

  it('deploy credentials and the admin client only behind reviewers', () => {
    for (const { where, file, job } of jobs) {
      const deploys = (roleOf(job) ?? '').includes('AWS_DEPLOY_ROLE_ARN');
      const admin = /secrets\.GENESYSCLOUD_ADMIN/.test(text(job));
      if (!deploys && !admin) continue;
      for (const env of environmentsOf(file, job)) {
        const spec = declared.environments[env];
        // The deploy role only where the reviewers are, the teardown role elsewhere.
        if (spec.role === 'deploy' || admin) expect({ where, env, reviewers: spec.reviewers }).toEqual({ where, env, reviewers: true });
      }
    }
    expect(jobs.filter(({ job }) => /secrets\.GENESYSCLOUD_ADMIN/.test(text(job))).map(({ where }) => where)).toEqual([
      'deploy.yml:deploy',
    ]);
  });

  it('PR teardown runs the base branch only: pull_request_target, checkout of main, teardown role in loadlab-teardown', () => {
    const destroy = workflows['destroy.yml'];
    expect(Object.keys(destroy.on)).toContain('pull_request_target');
    expect(Object.keys(destroy.on)).not.toContain('pull_request');
    expect(environmentsOf('destroy.yml', destroy.jobs.destroy).sort()).toEqual(['loadlab-<env>', 'loadlab-teardown']);
    const checkout = destroy.jobs.destroy.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with?.ref).toBe('main');
    expect(roleOf(destroy.jobs.destroy)).toBe(
      "${{ needs.resolve.outputs.ephemeral == 'true' && vars.AWS_TEARDOWN_ROLE_ARN || vars.AWS_DEPLOY_ROLE_ARN }}",
    );
    expect(raw('destroy.yml')).toMatch(/github_environment="loadlab-teardown"; ephemeral=true/);
  });

  it('named environments are planned, deployed and torn down from main only', () => {
    for (const script of [
      workflows['deploy.yml'].jobs.resolve.steps!.find((s) => s.run?.includes('REQUESTED'))!,
      workflows['destroy.yml'].jobs.resolve.steps![0],
      workflows['plan.yml'].jobs.plan.steps![0],
    ]) {
      expect(script.env?.REF).toBe('${{ github.ref }}');
      expect(script.run).toMatch(/if \[ "\$REF" != refs\/heads\/main \]; then\n\s+echo "::error::[^"]+"\n\s+exit 1/);
    }
    expect(declared.deploymentBranches).toEqual(['main']);
    // The deploy workflow checks the environments' settings before it plans.
    expect(workflows['deploy.yml'].jobs.resolve.steps!.some((s) => s.run === 'npm run check:environments')).toBe(true);
  });

  it("the plan summary reviewers read is made by main's tooling, from the plan JSON as data", () => {
    const summary = workflows['plan-summary.yml'].jobs.summarize;
    expect(summary.permissions).toEqual({ contents: 'read' });
    expect(text(summary)).not.toMatch(/secrets\.|id-token/);
    expect(summary.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!.with?.ref).toBe('main');
    expect(summary.steps!.some((s) => s.uses?.startsWith('actions/download-artifact@'))).toBe(true);
    for (const caller of ['pr.yml', 'plan.yml']) {
      expect(workflows[caller].jobs.summary.uses).toBe('./.github/workflows/plan-summary.yml');
      // The plan jobs never summarize themselves.
      const plan = workflows[caller].jobs.plan;
      expect({ caller, summarizes: /plan-summary/.test(JSON.stringify(plan.steps ?? [])) }).toEqual({ caller, summarizes: false });
    }
    expect(workflows['deploy.yml'].jobs.deploy).toMatchObject({ needs: ['resolve', 'plan'] });
  });

  it('Genesys secrets are environment secrets: never passed to a reusable workflow, never in a job without an environment', () => {
    for (const { where, file, job } of jobs) {
      expect({ where, passes: job.secrets }).toEqual({ where, passes: undefined });
      if (/secrets\.GENESYSCLOUD/.test(text(job)))
        expect({ where, environments: environmentsOf(file, job).length > 0 }).toEqual({ where, environments: true });
    }
    expect(raw('plan.yml')).not.toMatch(/^\s+secrets:/m);
  });

  it('the janitor searches with the main-plan role and destroys with the teardown role, both in main-only environments', () => {
    const janitor = workflows['janitor.yml'];
    expect(janitor.jobs.find.environment).toBe('loadlab-plan');
    expect(roleOf(janitor.jobs.find)).toBe('${{ vars.AWS_MAIN_PLAN_ROLE_ARN }}');
    expect(janitor.jobs.find.permissions).toMatchObject({ 'pull-requests': 'read' });
    expect(janitor.jobs.destroy.environment).toBe('loadlab-teardown');
    expect(roleOf(janitor.jobs.destroy)).toBe('${{ vars.AWS_TEARDOWN_ROLE_ARN }}');
  });

  it('docs/security.md carries a matrix row for every trigger the workflows use', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'security.md'), 'utf8');
    const matrix = doc.slice(doc.indexOf('## Trigger × credential matrix'));
    expect(matrix.length).toBeGreaterThan(100);
    const triggers = new Set(Object.values(workflows).flatMap((w) => Object.keys(w.on).filter((t) => t !== 'workflow_call')));
    for (const t of triggers) expect({ t, row: new RegExp(`^\\| \`${t}\``, 'm').test(matrix) }).toEqual({ t, row: true });
  });
});
