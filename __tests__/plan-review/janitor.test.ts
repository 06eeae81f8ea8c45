import { assessEnvironments, renderJanitorReport, type TaggedResource } from '../../commands/teardown/janitor-report';
import { listTaggedResources, type GetResourcesPage } from '../../commands/teardown/tagged-resources';

const NOW = new Date('2026-11-23T10:00:00Z');
const tagged = (env: string, expiresAt: string, extra: Record<string, string> = {}): TaggedResource => ({
  arn: `arn:aws:sqs:us-east-1:111122223333:loadlab-${env}-${Math.random().toString(36).slice(2, 8)}`,
  tags: { project: 'genesys-loadlab', environment: env, 'expires-at': expiresAt, stack: `${env}-runners`, ...extra },
});

describe('assessEnvironments', () => {
  it('finds pr-* environments whose expires-at passed, longest-expired first', () => {
    const reports = assessEnvironments(
      [
        tagged('pr-1', '2026-11-20T10:00:00.000Z'),
        tagged('pr-1', '2026-11-20T10:00:00.000Z', { stack: 'pr-1-genesys' }),
        tagged('pr-2', '2026-11-24T10:00:00.000Z'),
        tagged('pr-3', '2026-11-23T09:00:00.000Z'),
        tagged('pr-4', '2026-11-23T10:00:00.000Z'),
      ],
      NOW,
    );
    expect(reports.map((r) => [r.env, r.verdict.status])).toEqual([
      ['pr-1', 'expired'],
      ['pr-3', 'expired'],
      ['pr-4', 'expired'],
      ['pr-2', 'active'],
    ]);
    expect(reports[0]).toEqual({
      env: 'pr-1',
      expiresAt: '2026-11-20T10:00:00.000Z',
      resourceCount: 2,
      stacks: ['pr-1-genesys', 'pr-1-runners'],
      verdict: { status: 'expired', expiredForHours: 72 },
    });
    expect(reports[3].verdict).toEqual({ status: 'active', expiresInHours: 24 });
  });

  it('takes the latest expires-at when resources of one environment disagree', () => {
    const [report] = assessEnvironments([tagged('pr-9', '2026-11-22T10:00:00Z'), tagged('pr-9', '2026-11-23T12:00:00Z')], NOW);
    expect(report.expiresAt).toBe('2026-11-23T12:00:00.000Z');
    expect(report.verdict.status).toBe('active');
  });

  it('honours a grace period', () => {
    const resources = [tagged('pr-1', '2026-11-23T08:00:00Z')];
    expect(assessEnvironments(resources, NOW, { graceHours: 3 })[0].verdict.status).toBe('active');
    expect(assessEnvironments(resources, NOW, { graceHours: 2 })[0].verdict.status).toBe('expired');
  });

  it('never picks a long-lived environment, an untagged one, another project or a bad timestamp', () => {
    const reports = assessEnvironments(
      [
        tagged('staging', '2020-01-01T00:00:00Z'),
        { arn: 'arn:1', tags: { project: 'genesys-loadlab', 'expires-at': '2020-01-01T00:00:00Z' } },
        { arn: 'arn:2', tags: { project: 'someone-else', environment: 'pr-5', 'expires-at': '2020-01-01T00:00:00Z' } },
        { arn: 'arn:3', tags: { project: 'genesys-loadlab', environment: 'pr-6' } },
        tagged('pr-7', 'next tuesday'),
        tagged('pr-8', '2020-01-01'),
      ],
      NOW,
    );
    expect(reports.filter((r) => r.verdict.status === 'expired')).toEqual([]);
    expect(reports.map((r) => [r.env, r.verdict])).toEqual([
      ['(untagged)', { status: 'skipped', reason: 'resources carry expires-at but no environment tag' }],
      ['pr-7', { status: 'skipped', reason: 'expires-at "next tuesday" is not an ISO time' }],
      ['pr-8', { status: 'skipped', reason: 'expires-at "2020-01-01" is not an ISO time' }],
      ['staging', { status: 'skipped', reason: 'staging is not an ephemeral pr-<number> environment' }],
    ]);
  });
});

describe('listTaggedResources', () => {
  it('follows pagination tokens to the empty one and maps tags', async () => {
    const tokens: (string | undefined)[] = [];
    const pages: Awaited<ReturnType<GetResourcesPage>>[] = [
      { ResourceTagMappingList: [{ ResourceARN: 'arn:a', Tags: [{ Key: 'environment', Value: 'pr-1' }] }], PaginationToken: 't1' },
      {
        ResourceTagMappingList: [
          {
            ResourceARN: 'arn:b',
            Tags: [
              { Key: 'expires-at', Value: 'x' },
              { Key: 'empty', Value: '' },
            ],
          },
          { Tags: [] },
        ],
        PaginationToken: '',
      },
    ];
    const progress: number[] = [];
    const resources = await listTaggedResources(
      async (token) => {
        tokens.push(token);
        return pages[tokens.length - 1];
      },
      (n) => progress.push(n),
    );
    expect(tokens).toEqual([undefined, 't1']);
    expect(progress).toEqual([1, 2]);
    expect(resources).toEqual([
      { arn: 'arn:a', tags: { environment: 'pr-1' } },
      { arn: 'arn:b', tags: { 'expires-at': 'x', empty: '' } },
    ]);
  });

  it('stops a listing that never ends', async () => {
    await expect(listTaggedResources(async () => ({ ResourceTagMappingList: [], PaginationToken: 'again' }), undefined, 3)).rejects.toThrow(
      'tag:GetResources returned more than 3 pages; narrow the listing',
    );
  });
});

describe('renderJanitorReport', () => {
  it('reports every environment with its outcome and a tally', () => {
    const [expired, active] = assessEnvironments([tagged('pr-1', '2026-11-20T10:00:00Z'), tagged('pr-2', '2026-11-24T10:00:00Z')], NOW);
    const md = renderJanitorReport(
      [
        { report: expired, outcome: 'failed', detail: 'cdktf destroy exited with 1 | see log' },
        { report: active, outcome: 'active' },
      ],
      NOW,
      false,
    );
    expect(md).toContain('| `pr-1` | 2026-11-20T10:00:00.000Z (72 h ago) | 1 | failed: cdktf destroy exited with 1 \\| see log |');
    expect(md).toContain('| `pr-2` | 2026-11-24T10:00:00.000Z (in 24 h) | 1 | active |');
    expect(md).toContain('0 destroyed, 1 failed, 0 would be destroyed, 0 deferred to the next run, 1 still active, 0 skipped.');
    expect(renderJanitorReport([], NOW, true)).toContain('## Janitor (dry run) at 2026-11-23T10:00:00.000Z');
  });
});
