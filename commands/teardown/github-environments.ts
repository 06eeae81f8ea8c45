/**
 * The GitHub environments' protection as `.github/environments.json` declares it, compared with
 * what the repository has (REST API, the workflow's token): every environment exists, deploys
 * only from the declared branches (custom branch policies, nothing else), and has required
 * reviewers where declared. GitHub settings are not Terraform here; this check is what keeps
 * them true. Pure but for the injected `get`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../lib/cli';

export interface DeclaredEnvironment {
  readonly role: string;
  readonly reviewers: boolean;
  readonly secrets: readonly string[];
  readonly purpose: string;
}

export interface DeclaredEnvironments {
  readonly deploymentBranches: readonly string[];
  /** By name; `loadlab-<env>` stands for each named environment. */
  readonly environments: Readonly<Record<string, DeclaredEnvironment>>;
}

/** The declaration shipped with the workflows. */
export function readDeclaredEnvironments(root = path.resolve(__dirname, '..', '..')): DeclaredEnvironments {
  return JSON.parse(readFileSync(path.join(root, '.github', 'environments.json'), 'utf8')) as DeclaredEnvironments;
}

/** The concrete environment names: `loadlab-<env>` expanded to each named environment. */
export function expandEnvironments(declared: DeclaredEnvironments, namedEnvironments: readonly string[]): [string, DeclaredEnvironment][] {
  return Object.entries(declared.environments).flatMap(([name, spec]): [string, DeclaredEnvironment][] =>
    name === 'loadlab-<env>' ? namedEnvironments.map((env) => [`loadlab-${env}`, spec]) : [[name, spec]],
  );
}

/** GET a path of the repository's API; undefined on 404. */
export type GithubGet = (apiPath: string) => Promise<unknown>;

interface EnvironmentAnswer {
  deployment_branch_policy?: { protected_branches?: boolean; custom_branch_policies?: boolean } | null;
  protection_rules?: { type?: string; reviewers?: unknown[] }[];
}

/** Every difference between the declaration and the repository, one line each; empty when they agree. */
export async function environmentProblems(
  declared: DeclaredEnvironments,
  namedEnvironments: readonly string[],
  get: GithubGet,
): Promise<string[]> {
  const problems: string[] = [];
  const want = [...declared.deploymentBranches].sort();
  for (const [name, spec] of expandEnvironments(declared, namedEnvironments)) {
    const env = (await get(`environments/${encodeURIComponent(name)}`)) as EnvironmentAnswer | undefined;
    if (!env) {
      problems.push(`${name}: missing; create it (Settings → Environments) as .github/environments.json says`);
      continue;
    }
    const policy = env.deployment_branch_policy;
    if (!policy?.custom_branch_policies || policy.protected_branches) {
      problems.push(
        `${name}: deployment branches must be "Selected branches" limited to ${want.join(', ')} (now ${policy ? 'protected branches' : 'any branch'})`,
      );
    } else {
      const answer = (await get(`environments/${encodeURIComponent(name)}/deployment-branch-policies`)) as
        { branch_policies?: { name?: string; type?: string }[] } | undefined;
      const have = (answer?.branch_policies ?? []).map((p) => `${p.type === 'tag' ? 'tag:' : ''}${p.name}`).sort();
      if (JSON.stringify(have) !== JSON.stringify(want))
        problems.push(`${name}: deployment branches must be exactly ${want.join(', ')} (now ${have.join(', ') || 'none'})`);
    }
    const reviewers = (env.protection_rules ?? []).some((r) => r.type === 'required_reviewers' && (r.reviewers ?? []).length > 0);
    if (spec.reviewers && !reviewers)
      problems.push(`${name}: needs required reviewers (it holds ${spec.secrets.join(', ')} and the ${spec.role} role)`);
  }
  return problems;
}

/** A GithubGet over the REST API with the workflow's token. */
export function githubGet(repository: string, token: string | undefined, fetchFn: typeof fetch = fetch): GithubGet {
  return async (apiPath) => {
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetchFn(`https://api.github.com/repos/${repository}/${apiPath}`, { headers });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GitHub answered ${res.status} for ${apiPath}`);
    return res.json();
  };
}

/**
 * The `owner/repo` a GitHub command works on: `--repository`, else GITHUB_REPOSITORY. `why` ends
 * the error, saying what the command needs the repository for.
 */
export function repositoryOption(flag: string | undefined, why: string): string {
  const repository = flag ?? process.env.GITHUB_REPOSITORY ?? '';
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository))
    throw new UsageError(`--repository must be owner/repo, or set GITHUB_REPOSITORY (got ${JSON.stringify(repository)})${why}`);
  return repository;
}
