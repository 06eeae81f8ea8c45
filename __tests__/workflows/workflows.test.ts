import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { planDestroy } from '../../commands/teardown/destroy-plan';

const DIR = path.resolve(__dirname, '..', '..', '.github', 'workflows');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  uses?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  environment?: string;
  'timeout-minutes'?: number;
  steps?: Step[];
  with?: Record<string, string>;
  secrets?: Record<string, string> | string;
}
interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const raw = (file: string): string => readFileSync(path.join(DIR, file), 'utf8');
const load = (file: string): Workflow => parse(raw(file)) as Workflow;
const workflows = Object.fromEntries(files.map((f) => [f, load(f)])) as Record<string, Workflow>;
const allJobs = (): [string, string, Job][] =>
  Object.entries(workflows).flatMap(([f, w]) => Object.entries(w.jobs).map(([id, j]) => [f, id, j] as [string, string, Job]));
const allSteps = (): [string, string, Step][] =>
  allJobs().flatMap(([f, id, j]) => (j.steps ?? []).map((s) => [f, id, s] as [string, string, Step]));

/** A job that may read or write an environment's Terraform state: it gets cloud credentials. */
const touchesState = (job: Job): boolean =>
  typeof job.permissions === 'object' &&
  job.permissions['id-token'] === 'write' &&
  (job.steps ?? []).some((s) => /\b(terraform|cdktf|npm run (destroy|synth))\b/.test(s.run ?? ''));

describe('workflow files', () => {
  it('are the six we document', () => {
    expect(files.sort()).toEqual(['deploy.yml', 'destroy.yml', 'janitor.yml', 'plan-summary.yml', 'plan.yml', 'pr.yml']);
  });

  it('trigger on the documented events only', () => {
    expect(Object.keys(workflows['pr.yml'].on)).toEqual(['pull_request']);
    expect(workflows['pr.yml'].on.pull_request.types).toEqual(['opened', 'synchronize', 'reopened']);
    expect(Object.keys(workflows['deploy.yml'].on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(workflows['deploy.yml'].on.push.branches).toEqual(['main']);
    expect(workflows['deploy.yml'].on.workflow_dispatch.inputs.environment.required).toBe(true);
    expect(Object.keys(workflows['destroy.yml'].on).sort()).toEqual(['pull_request_target', 'workflow_dispatch']);
    expect(workflows['destroy.yml'].on.pull_request_target.types).toEqual(['closed']);
    expect(Object.keys(workflows['janitor.yml'].on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflows['janitor.yml'].on.schedule).toEqual([{ cron: '17 */6 * * *' }]);
    expect(Object.keys(workflows['plan.yml'].on)).toEqual(['workflow_call']);
    expect(Object.keys(workflows['plan-summary.yml'].on)).toEqual(['workflow_call']);
  });

  it('never use workflow_run, and pull_request_target only for PR teardown, which never touches the PR head', () => {
    for (const [file, w] of Object.entries(workflows)) {
      expect({ file, workflowRun: 'workflow_run' in w.on }).toEqual({ file, workflowRun: false });
      if ('pull_request_target' in w.on) expect(file).toBe('destroy.yml');
    }
    const text = raw('destroy.yml');
    // Only the PR number (and, for the fork check, the head repository's name) is read from the event.
    expect(text).not.toMatch(/pull_request\.head\.(sha|ref)|head_ref|merge_commit_sha|refs\/pull\//);
    const checkouts = allSteps().filter(([f, , st]) => f === 'destroy.yml' && st.uses?.startsWith('actions/checkout@'));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const [, id, st] of checkouts) expect({ id, ref: st.with?.ref }).toEqual({ id, ref: 'main' });
    // No cache restored from a PR-writable scope into a job with credentials.
    for (const [f, id, st] of allSteps())
      if (f === 'destroy.yml' && st.uses?.startsWith('actions/setup-node@'))
        expect({ id, cache: st.with?.cache }).toEqual({ id, cache: undefined });
  });
});

describe('permissions', () => {
  it('default to none for every workflow and are granted per job', () => {
    for (const [file, w] of Object.entries(workflows)) expect({ file, permissions: w.permissions }).toEqual({ file, permissions: {} });
    for (const [file, id, job] of allJobs()) {
      expect({ job: `${file}:${id}`, type: typeof job.permissions }).toEqual({ job: `${file}:${id}`, type: 'object' });
    }
  });

  it('are the least each job needs', () => {
    const allowed: Record<string, string[]> = {
      contents: ['read'],
      'id-token': ['write'],
      'pull-requests': ['read', 'write'],
      actions: ['read'],
    };
    for (const [file, id, job] of allJobs()) {
      for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
        expect({ job: `${file}:${id}`, scope, ok: allowed[scope]?.includes(level) ?? false }).toEqual({
          job: `${file}:${id}`,
          scope,
          ok: true,
        });
      }
      const perms = job.permissions as Record<string, string>;
      const steps = job.steps ?? [];
      // An OIDC token only where AWS credentials are configured (or a reusable workflow that does).
      if (perms['id-token'] === 'write') {
        const assumesRole =
          steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')) || job.uses === './.github/workflows/plan.yml';
        expect({ job: `${file}:${id}`, assumesRole }).toEqual({ job: `${file}:${id}`, assumesRole: true });
      }
      // Writing to pull requests only in the job that posts the plan comment, which runs no repository code.
      if (perms['pull-requests'] === 'write') {
        expect(`${file}:${id}`).toBe('pr.yml:comment');
        expect(steps.map((s) => s.uses?.split('@')[0])).toEqual(['actions/github-script']);
        expect(perms).toEqual({ 'pull-requests': 'write' });
      }
    }
  });

  it('gate deploys and manual teardowns of named environments behind a GitHub environment', () => {
    expect(workflows['deploy.yml'].jobs.deploy.environment).toBe('${{ needs.resolve.outputs.github_environment }}');
    expect(raw('deploy.yml')).toContain('github_environment="loadlab-${REQUESTED}"');
    expect(workflows['destroy.yml'].jobs.destroy.environment).toBe('${{ needs.resolve.outputs.github_environment }}');
    expect(workflows['janitor.yml'].jobs.destroy.environment).toBe('loadlab-teardown');
  });
});

describe('third-party actions', () => {
  const usesLines = files.flatMap((f) =>
    raw(f)
      .split('\n')
      .filter((l) => /^\s*(-\s+)?uses:/.test(l))
      .map((line) => ({ file: f, line: line.trim() })),
  );

  it('are pinned to a full 40-hex commit SHA with the release in a comment', () => {
    const remote = usesLines.filter((u) => !/uses:\s*\.\//.test(u.line));
    expect(remote.length).toBeGreaterThan(10);
    for (const u of remote) {
      expect({ ...u, pinned: /uses:\s*[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(u.line) }).toEqual({ ...u, pinned: true });
    }
  });

  it('use one SHA per action across all workflows, and each is listed in the file header', () => {
    const shas = new Map<string, Set<string>>();
    for (const u of usesLines) {
      const m = /uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40})/.exec(u.line);
      if (!m) continue;
      shas.set(m[1], (shas.get(m[1]) ?? new Set()).add(m[2]));
      const header = raw(u.file).split('\nname:')[0];
      expect({ file: u.file, action: m[1], listed: header.includes(m[1]) }).toEqual({ file: u.file, action: m[1], listed: true });
    }
    for (const [action, set] of shas) expect({ action, shas: set.size }).toEqual({ action, shas: 1 });
    expect([...shas.keys()].sort()).toEqual([
      'actions/checkout',
      'actions/download-artifact',
      'actions/github-script',
      'actions/setup-node',
      'actions/upload-artifact',
      'aws-actions/configure-aws-credentials',
      'hashicorp/setup-terraform',
    ]);
  });

  it('reusable workflows are referenced locally only', () => {
    for (const [file, id, job] of allJobs()) {
      if (job.uses)
        expect({
          job: `${file}:${id}`,
          local: ['./.github/workflows/plan.yml', './.github/workflows/plan-summary.yml'].includes(job.uses),
        }).toEqual({
          job: `${file}:${id}`,
          local: true,
        });
    }
  });

  it('checkout never leaves a git token on disk', () => {
    for (const [file, id, step] of allSteps()) {
      if (step.uses?.startsWith('actions/checkout@'))
        expect({ job: `${file}:${id}`, persist: step.with?.['persist-credentials'] }).toEqual({ job: `${file}:${id}`, persist: false });
    }
  });

  it('every job that sets up Node runs Node 24 (Node 20 is end of life)', () => {
    const nodes = allSteps().filter(([, , step]) => step.uses?.startsWith('actions/setup-node@'));
    expect(nodes.length).toBeGreaterThan(0);
    for (const [file, id, step] of nodes)
      expect({ job: `${file}:${id}`, node: step.with?.['node-version'] }).toEqual({ job: `${file}:${id}`, node: 24 });
  });
});

describe('concurrency', () => {
  it('every job that touches state is in its environment group and is never cancelled mid-run', () => {
    const stateJobs = allJobs().filter(([, , j]) => touchesState(j));
    expect(stateJobs.map(([f, id]) => `${f}:${id}`).sort()).toEqual([
      'deploy.yml:deploy',
      'destroy.yml:destroy',
      'janitor.yml:destroy',
      'plan.yml:plan',
      'pr.yml:plan',
    ]);
    const groups: Record<string, string> = {};
    for (const [file, id, job] of stateJobs) {
      const c = job.concurrency as { group: string; 'cancel-in-progress'?: boolean };
      expect({ job: `${file}:${id}`, cancel: c['cancel-in-progress'] }).toEqual({ job: `${file}:${id}`, cancel: false });
      groups[`${file}:${id}`] = c.group;
    }
    expect(groups).toEqual({
      'plan.yml:plan': 'loadlab-env-${{ inputs.environment }}',
      'deploy.yml:deploy': 'loadlab-env-${{ needs.resolve.outputs.env }}',
      'destroy.yml:destroy': 'loadlab-env-${{ needs.resolve.outputs.env }}',
      'janitor.yml:destroy': 'loadlab-env-${{ matrix.env }}',
      'pr.yml:plan': 'loadlab-env-pr-${{ github.event.pull_request.number }}',
    });
  });

  it('the environment each group names is the environment the job works on', () => {
    expect(workflows['plan.yml'].jobs.plan.concurrency).toMatchObject({ group: expect.stringContaining('inputs.environment') });
    expect((workflows['plan.yml'].jobs.plan as any).env.LOADLAB_ENV).toBe('${{ inputs.environment }}');
    expect((workflows['deploy.yml'].jobs.deploy as any).env.LOADLAB_ENV).toBe('${{ needs.resolve.outputs.env }}');
    expect((workflows['destroy.yml'].jobs.destroy as any).env.LOADLAB_ENV).toBe('${{ needs.resolve.outputs.env }}');
    expect((workflows['janitor.yml'].jobs.destroy as any).env.LOADLAB_ENV).toBe('${{ matrix.env }}');
    // The PR plan plans the PR's environment, with the PR's creation time for a stable expires-at.
    expect((workflows['pr.yml'].jobs.plan as any).env).toMatchObject({
      LOADLAB_ENV: 'pr-${{ github.event.pull_request.number }}',
      LOADLAB_CREATED_AT: '${{ github.event.pull_request.created_at }}',
    });
    expect(workflows['pr.yml'].jobs.summary.with).toEqual({ environment: 'pr-${{ github.event.pull_request.number }}' });
    const synth = workflows['pr.yml'].jobs.check.steps!.find((s) => s.run === 'npm run ci -- --pr')!;
    expect(synth.env).toEqual({
      LOADLAB_ENV: 'pr-${{ github.event.pull_request.number }}',
      LOADLAB_BASE_ENV: "${{ vars.LOADLAB_BASE_ENV || 'example' }}",
      LOADLAB_CREATED_AT: '${{ github.event.pull_request.created_at }}',
    });
  });

  it('only cancels runs that touch no state', () => {
    for (const [file, id, job] of allJobs()) {
      const c = job.concurrency;
      if (c && typeof c === 'object' && c['cancel-in-progress'])
        expect({ job: `${file}:${id}`, group: c.group }).toEqual({ job: `${file}:${id}`, group: expect.stringMatching(/^loadlab-check-/) });
    }
  });
});

describe('teardown in workflows', () => {
  const runs = allSteps().filter(([, , s]) => s.run);

  it('never destroys an archive stack: every destroy goes through npm run destroy --env, without --stack', () => {
    const destroyLines = runs.flatMap(([f, id, s]) =>
      s
        .run!.split('\n')
        .filter((l) => /destroy/.test(l) && !/^\s*(#|echo|\{ echo)/.test(l.trim()))
        .map((line) => ({ where: `${f}:${id}`, line: line.trim() })),
    );
    expect(destroyLines.map((d) => d.where).sort()).toEqual(['destroy.yml:destroy', 'janitor.yml:destroy']);
    for (const d of destroyLines) {
      expect(d.line).toMatch(/npm run destroy -- --env "\$LOADLAB_ENV" --yes --if-deployed/);
      expect(d.line).not.toMatch(/--stack|archive|cdktf destroy|terraform destroy|-destroy\b/);
    }
    // What that command does for any environment: runners and genesys, nothing else.
    for (const env of ['pr-1', 'staging'])
      expect(planDestroy({ env, autoApprove: true }).stacks).toEqual([`${env}-runners`, `${env}-genesys`]);
  });

  it('no workflow calls terraform or cdktf with destroy, apply -destroy or state rm', () => {
    for (const [f, id, s] of runs) {
      expect({
        where: `${f}:${id}`,
        bad: /(terraform|cdktf)\s+[^\n]*\b(destroy|state\s+rm)\b|plan\s+[^\n]*-destroy|apply\s+[^\n]*-destroy/.test(s.run!),
      }).toEqual({
        where: `${f}:${id}`,
        bad: false,
      });
    }
  });

  it('refuses an archive name typed into a manual run before anything runs', () => {
    expect(raw('destroy.yml')).toMatch(
      /if \[\[ "\$REQUESTED" == \*-archive \]\]; then\n\s+echo "::error::archive stacks are never destroyed by a workflow/,
    );
  });
});

describe('script safety', () => {
  it('no run script splices ${{ }} expressions (untrusted input goes through env)', () => {
    for (const [f, id, s] of allSteps()) {
      if (s.run)
        expect({ where: `${f}:${id}:${s.name ?? s.run.slice(0, 30)}`, expr: s.run.includes('${{') }).toEqual({
          where: `${f}:${id}:${s.name ?? s.run.slice(0, 30)}`,
          expr: false,
        });
    }
  });

  it('every job that runs steps has a timeout', () => {
    for (const [file, id, job] of allJobs()) {
      if (job.steps)
        expect({ job: `${file}:${id}`, timeout: typeof job['timeout-minutes'] }).toEqual({ job: `${file}:${id}`, timeout: 'number' });
    }
  });

  it('PR plans skip forks and the comment is found again by the marker plan-summary writes', () => {
    expect(workflows['pr.yml'].jobs.plan.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(raw('plan-summary.yml')).toContain('--marker genesys-loadlab:plan-review');
    const script = workflows['pr.yml'].jobs.comment.steps![0].with!.script as string;
    expect(script).toContain("const marker = '<!-- genesys-loadlab:plan-review -->';");
    expect(script).toContain('github.rest.issues.updateComment');
    expect(script).toContain('github.rest.issues.createComment');
    expect(workflows['pr.yml'].jobs.comment.steps![0].env).toEqual({ SUMMARY: '${{ needs.summary.outputs.summary }}' });
  });

  it('deploy runs preflight with the admin client after the roles bootstrap and before the first full apply', () => {
    const steps = workflows['deploy.yml'].jobs.deploy.steps!;
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s.run ?? ''));
    const preflight = at(/npm run preflight -- --env "\$LOADLAB_ENV"/);
    expect(preflight).toBeGreaterThan(at(/npm run bootstrap/));
    expect(preflight).toBeLessThan(at(/cdktf deploy/));
    expect(Object.keys(steps[preflight].env ?? {}).sort()).toEqual([
      'GENESYSCLOUD_ADMIN_CLIENT_ID',
      'GENESYSCLOUD_ADMIN_CLIENT_SECRET',
      'GENESYSCLOUD_OAUTHCLIENT_ID',
    ]);
  });

  it('secrets reach only the steps that run Terraform', () => {
    for (const [f, id, s] of allSteps()) {
      const usesSecret = Object.values(s.env ?? {}).some((v) => String(v).includes('secrets.'));
      if (usesSecret)
        expect({
          where: `${f}:${id}`,
          run: /terraform|cdktf|npm run (destroy|bootstrap|preflight)|scripts\/plan-stacks\.sh/.test(s.run ?? ''),
        }).toEqual({
          where: `${f}:${id}`,
          run: true,
        });
    }
  });
});

describe('one CI definition', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const ci = readFileSync(path.join(ROOT, 'scripts', 'ci.sh'), 'utf8');

  it('.ci/run and the PR check job both run npm run ci, which is scripts/ci.sh', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.ci).toBe('bash scripts/ci.sh');
    const run = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
      .trim()
      .split('\n');
    expect(run[run.length - 1]).toBe('exec npm run --silent ci');
    // The check job checks out, sets up Node and runs CI: no check of its own beside it.
    const steps = workflows['pr.yml'].jobs.check.steps!;
    expect(steps.map((s) => s.uses?.split('@')[0] ?? s.run)).toEqual(['actions/checkout', 'actions/setup-node', 'npm run ci -- --pr']);
  });

  it('whatever --pr skips is listed, with its reason, at the top of scripts/ci.sh', () => {
    const header = ci.slice(0, ci.indexOf('set -euo pipefail'));
    const skipList = header.slice(header.indexOf('What a pull-request run (--pr) skips'));
    expect(skipList).not.toBe(header);
    // Every step run only outside a PR names its npm script, and the skip list names it too.
    const blocks = [...ci.matchAll(/^if \[ "\$pr" = false \]; then\n([\s\S]*?)^fi$/gm)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(0);
    expect(ci.match(/\$pr\b/g)!.length).toBe(blocks.length);
    for (const block of blocks) {
      const scripts = [...block.matchAll(/npm run (?:--silent )?([a-z:]+)/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const s of scripts) expect({ script: s, listed: skipList.includes(`npm run ${s}`) }).toEqual({ script: s, listed: true });
    }
  });

  it('ends on the one tests line and fails when any test run failed', () => {
    const lines = ci.trim().split('\n');
    expect(lines.slice(-2)).toEqual(['summary tests "${results[@]}"', 'exit "$status"']);
    expect(ci).toMatch(/npm test -- --ci --json --outputFile="\$\{results\[-1\]\}" \|\| status=\$\?/);
  });
});
