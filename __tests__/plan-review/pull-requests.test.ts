import { assessEnvironments, renderJanitorReport, type TaggedResource } from '../../commands/teardown/janitor-report';
import { githubPullRequestState, skipOpenPullRequests, type PullRequestState } from '../../commands/teardown/pull-requests';

const NOW = new Date('2026-11-23T10:00:00Z');
const tagged = (env: string, expiresAt: string): TaggedResource => ({
  arn: `arn:aws:sqs:us-east-1:111122223333:loadlab-${env}`,
  tags: { project: 'genesys-loadlab', environment: env, 'expires-at': expiresAt, stack: `${env}-runners` },
});

describe('the janitor destroys an environment only once its pull request is closed', () => {
  const reports = assessEnvironments(
    [
      tagged('pr-1', '2026-11-20T10:00:00Z'),
      tagged('pr-2', '2026-11-21T10:00:00Z'),
      tagged('pr-3', '2026-11-22T10:00:00Z'),
      tagged('pr-4', '2026-11-30T10:00:00Z'),
    ],
    NOW,
  );

  it('skips expired environments of open pull requests, saying so, and keeps closed ones', async () => {
    const asked: number[] = [];
    const states: Record<number, PullRequestState> = { 1: 'closed', 2: 'open', 3: 'closed' };
    const out = await skipOpenPullRequests(reports, async (n) => {
      asked.push(n);
      return states[n];
    });
    expect(out.map((r) => [r.env, r.verdict.status])).toEqual([
      ['pr-1', 'expired'],
      ['pr-2', 'skipped'],
      ['pr-3', 'expired'],
      ['pr-4', 'active'],
    ]);
    // Only expired environments are looked up: an active one is never a candidate.
    expect(asked).toEqual([1, 2, 3]);
    const markdown = renderJanitorReport(
      out.map((report) => ({ report, outcome: report.verdict.status === 'expired' ? 'would destroy' : report.verdict.status })),
      NOW,
      true,
    );
    expect(markdown).toContain('| `pr-2` |');
    expect(markdown).toMatch(/skipped: pull request #2 is still open: its environment stays until the pull request closes/);
  });

  it('keeps the environment when GitHub cannot say', async () => {
    const out = await skipOpenPullRequests(reports.slice(0, 1), async () => {
      throw new Error('GitHub answered 502');
    });
    expect(out[0].verdict).toEqual({
      status: 'skipped',
      reason: 'could not read the state of pull request #1 (GitHub answered 502); not destroyed',
    });
  });
});

describe('githubPullRequestState', () => {
  it('asks the pulls endpoint with the workflow token and returns the state', async () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const stateOf = githubPullRequestState('example-org/genesys-loadlab', 'ghs_token', async (url, init) => {
      calls.push({ url, headers: init.headers });
      return { ok: true, status: 200, json: async () => ({ number: 7, state: 'closed' }) };
    });
    await expect(stateOf(7)).resolves.toBe('closed');
    expect(calls).toEqual([
      {
        url: 'https://api.github.com/repos/example-org/genesys-loadlab/pulls/7',
        headers: expect.objectContaining({ authorization: 'Bearer ghs_token', accept: 'application/vnd.github+json' }),
      },
    ]);
  });

  it('fails on an error status or an answer without a state', async () => {
    const notFound = githubPullRequestState('o/r', undefined, async () => ({ ok: false, status: 404, json: async () => ({}) }));
    await expect(notFound(9)).rejects.toThrow('GitHub answered 404 for pull request #9 of o/r');
    const odd = githubPullRequestState('o/r', undefined, async () => ({ ok: true, status: 200, json: async () => ({ state: 'merged' }) }));
    await expect(odd(9)).rejects.toThrow('pull request #9 has no state');
  });
});
