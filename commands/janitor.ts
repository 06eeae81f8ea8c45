/**
 * `npm run janitor -- [--dry-run] [options]`: finds ephemeral (`pr-<n>`) environments whose
 * `expires-at` tag has passed (AWS Resource Groups Tagging API) and tears each down with the
 * same commands as `npm run destroy`, never touching an archive.
 * Exit codes: 0 done, 1 a destroy failed, 2 bad arguments.
 */
import { appendFileSync } from 'node:fs';
import { numberOption, parseArgs, UsageError } from '../lib/cli';
import { ConfigError, loadEnvironment } from '../lib/config';
import { planDestroy, renderCommand } from './teardown/destroy-plan';
import { assessEnvironments, renderJanitorReport, type JanitorRow } from './teardown/janitor-report';
import { runCommand, s3ObjectExists } from './teardown/io';
import { deployedStacks } from './teardown/state';
import { getResourcesPage, listTaggedResources } from './teardown/tagged-resources';
import { githubPullRequestState, skipOpenPullRequests } from './teardown/pull-requests';
import { repositoryOption } from './teardown/github-environments';

export const JANITOR_USAGE = `usage: npm run janitor -- [options]
  --dry-run              list what would be destroyed; change nothing
  --region <region>      where to list tagged resources (default AWS_REGION, else the base environment's aws.region)
  --base <env>           base environment of the pr-<n> environments (default LOADLAB_BASE_ENV or example)
  --max <n>              destroy at most n environments per run, longest-expired first (default 5)
  --grace-hours <h>      wait this long after expires-at (default 0)
  --now <iso>            pretend it is this time (testing a schedule)
  --repository <o/r>     where the pull requests are (default GITHUB_REPOSITORY); an environment whose
                         pull request is still open is skipped (GitHub API, token from GITHUB_TOKEN)
  --summary <file>       append the Markdown report here (e.g. "$GITHUB_STEP_SUMMARY")
  --matrix-out <file>    append envs=<JSON array of environments to destroy> (e.g. "$GITHUB_OUTPUT")`;

export async function runJanitor(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs(argv, {
    'dry-run': { type: 'boolean' },
    region: { type: 'string' },
    base: { type: 'string' },
    max: { type: 'string' },
    'grace-hours': { type: 'string' },
    now: { type: 'string' },
    repository: { type: 'string' },
    summary: { type: 'string' },
    'matrix-out': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(JANITOR_USAGE);
    return 0;
  }
  const max = numberOption('max', values.max, { min: 0, integer: true }) ?? 5;
  const graceHours = numberOption('grace-hours', values['grace-hours'], { min: 0 }) ?? 0;
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now must be an ISO time such as 2026-11-23T10:00:00Z (got ${JSON.stringify(values.now)})`);
  const baseName = values.base ?? (process.env.LOADLAB_BASE_ENV?.trim() || 'example');
  const base = loadEnvironment(baseName);
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? base.config.aws.region;
  const dryRun = values['dry-run'] === true;
  const repository = repositoryOption(
    values.repository,
    ': the janitor checks each pull request is closed before destroying its environment',
  );

  console.error(`listing resources tagged project=genesys-loadlab with expires-at in ${region}…`);
  const resources = await listTaggedResources(getResourcesPage(region), (n) => console.error(`  ${n} resources so far`));
  const reports = await skipOpenPullRequests(
    assessEnvironments(resources, now, { graceHours }),
    githubPullRequestState(repository, process.env.GITHUB_TOKEN),
  );
  const expired = reports.filter((r) => r.verdict.status === 'expired');
  const chosen = expired.slice(0, max).map((r) => r.env);
  if (values['matrix-out']) appendFileSync(values['matrix-out'], `envs=${JSON.stringify(chosen)}\n`);

  const rows: JanitorRow[] = [];
  let failures = 0;
  for (const report of reports) {
    if (report.verdict.status !== 'expired') {
      rows.push({ report, outcome: report.verdict.status });
      continue;
    }
    if (!chosen.includes(report.env)) {
      rows.push({ report, outcome: 'deferred', detail: `over --max ${max}` });
      continue;
    }
    const request = { env: report.env, autoApprove: true, baseEnv: baseName };
    if (dryRun) {
      const plan = planDestroy(request);
      rows.push({ report, outcome: 'would destroy', detail: plan.commands.map(renderCommand).join('; ') });
      continue;
    }
    console.error(`[${rows.length + 1}/${reports.length}] destroying ${report.env} (expired ${report.expiresAt})`);
    try {
      const env = loadEnvironment(report.env, { baseName });
      const region = env.config.backend.type === 's3' ? env.config.backend.region : env.config.aws.region;
      const deployed = await deployedStacks(env, planDestroy(request).stacks, s3ObjectExists(region));
      const plan = planDestroy({ ...request, deployedStacks: deployed });
      let code = 0;
      for (const command of plan.commands) {
        console.error(`$ ${renderCommand(command)}`);
        code = await runCommand(command);
        if (code !== 0) break;
      }
      if (code === 0) {
        rows.push({ report, outcome: 'destroyed', detail: plan.stacks.length ? plan.stacks.join(', ') : 'no state left; tags are stale' });
      } else {
        failures++;
        rows.push({ report, outcome: 'failed', detail: `cdktf destroy exited with ${code}` });
      }
    } catch (err) {
      failures++;
      const message = err instanceof ConfigError ? err.problems.join('; ') : (err as Error).message;
      rows.push({ report, outcome: 'failed', detail: message });
    }
  }
  const markdown = renderJanitorReport(rows, now, dryRun);
  console.log(markdown);
  if (values.summary) appendFileSync(values.summary, `${markdown}\n`);
  return failures ? 1 : 0;
}
