/**
 * `npm run check:environments [-- --repository <owner/repo>] [-- --ci <name>]`: compares the
 * repository's GitHub environments with .github/environments.json (main-only deployment
 * branches, required reviewers where declared). Named environments come from
 * ci-identities/<name>.json. Exit codes: 0 they agree, 1 a difference (one line each), 2 bad input.
 */
import { parseArgs } from '../lib/cli';
import { loadCiIdentities } from '../lib/config';
import { environmentProblems, githubGet, readDeclaredEnvironments, repositoryOption } from './teardown/github-environments';

export const CHECK_ENVIRONMENTS_USAGE = `usage: npm run check:environments -- [--repository <owner/repo>] [--ci <name>]
  --repository   default GITHUB_REPOSITORY (the token comes from GITHUB_TOKEN)
  --ci           ci-identities/<name>.json, whose named environments need loadlab-<env> (default LOADLAB_CI, else example)`;

export async function runCheckEnvironments(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs(argv, {
    repository: { type: 'string' },
    ci: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(CHECK_ENVIRONMENTS_USAGE);
    return 0;
  }
  const repository = repositoryOption(values.repository, '');
  const { config } = loadCiIdentities(values.ci ?? process.env.LOADLAB_CI ?? 'example');
  const problems = await environmentProblems(
    readDeclaredEnvironments(),
    config.environments,
    githubGet(repository, process.env.GITHUB_TOKEN),
  );
  for (const p of problems) console.error(`error: ${p}`);
  if (problems.length === 0) console.log(`GitHub environments of ${repository} match .github/environments.json`);
  return problems.length ? 1 : 0;
}
