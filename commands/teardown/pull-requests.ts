/**
 * Whether a pull request is still open, from the GitHub REST API (the workflow's own token):
 * the janitor destroys a `pr-<n>` environment only once its pull request is closed, whatever
 * its tags say. Any answer but "closed" keeps the environment.
 */
import { EPHEMERAL_NAME } from '../../lib/config/environment';
import type { EnvironmentReport } from './janitor-report';

export type PullRequestState = 'open' | 'closed';

/** Looks up one pull request's state; tests inject a fake. */
export type PullRequestStateOf = (prNumber: number) => Promise<PullRequestState>;

type Fetch = (url: string, init: { headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** GET /repos/{owner}/{repo}/pulls/{n} with the given token (none: public repositories only). */
export function githubPullRequestState(repository: string, token: string | undefined, fetchFn: Fetch = fetch): PullRequestStateOf {
  return async (prNumber) => {
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetchFn(`https://api.github.com/repos/${repository}/pulls/${prNumber}`, { headers });
    if (!res.ok) throw new Error(`GitHub answered ${res.status} for pull request #${prNumber} of ${repository}`);
    const state = (await res.json()) as { state?: unknown };
    if (state.state !== 'open' && state.state !== 'closed') throw new Error(`pull request #${prNumber} has no state in GitHub's answer`);
    return state.state;
  };
}

/**
 * Keeps an expired environment a candidate only when its pull request is closed; an open one (or
 * one whose state cannot be read) becomes `skipped`, with the reason in the report.
 */
export async function skipOpenPullRequests(
  reports: readonly EnvironmentReport[],
  stateOf: PullRequestStateOf,
): Promise<EnvironmentReport[]> {
  const out: EnvironmentReport[] = [];
  for (const report of reports) {
    const match = EPHEMERAL_NAME.exec(report.env);
    if (report.verdict.status !== 'expired' || !match) {
      out.push(report);
      continue;
    }
    const prNumber = Number(report.env.slice('pr-'.length));
    let reason: string | undefined;
    try {
      const state = await stateOf(prNumber);
      if (state === 'open') reason = `pull request #${prNumber} is still open: its environment stays until the pull request closes`;
    } catch (err) {
      reason = `could not read the state of pull request #${prNumber} (${(err as Error).message}); not destroyed`;
    }
    out.push(reason ? { ...report, verdict: { status: 'skipped', reason } } : report);
  }
  return out;
}
