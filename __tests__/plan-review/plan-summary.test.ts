import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePlanJson, PlanFormatError } from '../../commands/terraform-plan/plan-json';
import {
  planSummaryMarkdown,
  renderPlanSummary,
  stackNameFromPath,
  summarizeStack,
  type StackPlan,
} from '../../commands/terraform-plan/summary';

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (file: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8'));
const stackPlan = (stack: string, file: string): StackPlan => ({ stack, plan: parsePlanJson(fixture(file), file) });

/** Every string value anywhere in a fixture whose sensitivity mask (or output flag) marks it sensitive. */
const SECRETS = [
  'RUNNER-OLD-SECRET-8f2c',
  'RUNNER-NEW-SECRET-91ab',
  'LAMBDA-TOKEN-77d1',
  'LAMBDA-TOKEN-99e2',
  'GENESYS-CLIENT-SECRET-0xf00d',
  'OLD-ROLE-SECRETISH',
  'NEW-ROLE-SECRETISH',
  'GENESYS-OUTPUT-SECRET-beef',
];

describe('summarizeStack', () => {
  it('counts add, change, destroy, replace, import and move like Terraform, leaving out no-ops and data reads', () => {
    const s = summarizeStack(stackPlan('example-runners', 'example-runners.plan.json'));
    expect(s.counts).toEqual({ add: 1, change: 3, destroy: 1, replace: 1, import: 1, move: 1, forget: 0 });
    expect(s.resources.map((r) => r.address)).not.toContain('aws_sqs_queue.events');
    expect(s.resources.map((r) => r.address)).not.toContain('data.aws_caller_identity.current');
    expect(s.drift).toBe(1);
    expect(s.archive).toBe(false);
    expect(s.outputs).toEqual([{ name: 'cluster_arn', kind: 'update', sensitive: false }]);
  });

  it('orders destroys and replacements first', () => {
    const s = summarizeStack(stackPlan('example-runners', 'example-runners.plan.json'));
    expect(s.resources.slice(0, 2).map((r) => [r.kind, r.address])).toEqual([
      ['delete', 'aws_cloudwatch_log_group.old_worker'],
      ['replace', 'aws_ecs_cluster.runners'],
    ]);
  });

  it('names the attributes that force a replacement and only the attributes that change', () => {
    const s = summarizeStack(stackPlan('example-runners', 'example-runners.plan.json'));
    const cluster = s.resources.find((r) => r.address === 'aws_ecs_cluster.runners')!;
    expect(cluster.replacePaths).toEqual(['name']);
    expect(cluster.attributes[0]).toEqual({
      name: 'name',
      before: '"loadlab-example-runners"',
      after: '"loadlab-example-runners-v2"',
      sensitive: false,
      forcesReplacement: true,
    });
    expect(cluster.attributes.map((a) => a.name)).toEqual(['name', 'arn', 'id']);
    expect(cluster.attributes.find((a) => a.name === 'arn')!.after).toBe('(known after apply)');
    const sfn = s.resources.find((r) => r.address === 'aws_sfn_state_machine.fanout')!;
    expect(sfn.attributes.map((a) => a.name)).toEqual(['definition', 'logging_configuration']);
  });

  it('masks attributes that are sensitive in before_sensitive or after_sensitive, also when nested or whole-object', () => {
    const runners = summarizeStack(stackPlan('example-runners', 'example-runners.plan.json'));
    const secret = runners.resources.find((r) => r.type === 'aws_secretsmanager_secret_version')!;
    expect(secret.attributes.find((a) => a.name === 'secret_string')).toMatchObject({
      before: '(sensitive)',
      after: '(sensitive)',
      sensitive: true,
    });
    const lambda = runners.resources.find((r) => r.type === 'aws_lambda_function')!;
    expect(lambda.attributes.find((a) => a.name === 'environment')).toMatchObject({ before: '(sensitive)', after: '(sensitive)' });
    expect(lambda.attributes.find((a) => a.name === 'memory_size')).toMatchObject({ before: '256', after: '512', sensitive: false });
    const genesys = summarizeStack(stackPlan('example-genesys', 'example-genesys.plan.json'));
    const credential = genesys.resources.find((r) => r.type === 'genesyscloud_integration_credential')!;
    expect(credential.kind).toBe('replace');
    expect(credential.attributes).toEqual([
      { name: 'fields', before: '(sensitive)', after: '(sensitive)', sensitive: true, forcesReplacement: true },
    ]);
  });

  it('recognizes an archive stack by name or by its stack tag', () => {
    expect(summarizeStack(stackPlan('example-archive', 'example-archive.plan.json')).archive).toBe(true);
    expect(summarizeStack(stackPlan('legacy', 'tagged-archive.plan.json')).archive).toBe(true);
    expect(summarizeStack(stackPlan('example-genesys', 'example-genesys.plan.json')).archive).toBe(false);
  });
});

describe('renderPlanSummary', () => {
  const all = (): string =>
    planSummaryMarkdown(
      [
        stackPlan('example-archive', 'example-archive.plan.json'),
        stackPlan('example-genesys', 'example-genesys.plan.json'),
        stackPlan('example-runners', 'example-runners.plan.json'),
      ],
      { marker: 'genesys-loadlab:plan-review', budget: 'scenario  users\n--------  -----\nscripts     500' },
    );

  it('never prints a sensitive value', () => {
    const md = all();
    for (const secret of SECRETS) expect(md).not.toContain(secret);
    expect(md).toContain('(sensitive)');
  });

  it('puts the archive warning first, then the other destroys and replacements, then the counts', () => {
    const md = all();
    const lines = md.split('\n');
    expect(lines[0]).toBe('<!-- genesys-loadlab:plan-review -->');
    const caution = md.indexOf('> [!CAUTION]');
    const warning = md.indexOf('> [!WARNING]');
    const table = md.indexOf('| stack | add | change | destroy | replace | other |');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(warning);
    expect(warning).toBeLessThan(table);
    expect(md).toContain('**An archive stack would destroy or replace 2 resources.**');
    expect(md).toContain('> - `example-archive`: `aws_s3_bucket.recordings` — **replace** (forced by `bucket`)');
    expect(md).toContain('> - `example-archive`: `aws_kms_key.archive` — **destroy** (delete because no resource config)');
    expect(md).toContain('**3 resources would be destroyed or replaced:**');
    expect(md).toContain('> - `example-runners`: `aws_ecs_cluster.runners` — **replace** (forced by `name`)');
  });

  it('has one count row per stack and a table of changed resources', () => {
    const md = all();
    expect(md).toContain('| `example-archive` (archive) | 0 | 1 | 1 | 1 |  |');
    expect(md).toContain('| `example-genesys` | 1 | 1 | 0 | 1 |  |');
    expect(md).toContain('| `example-runners` | 1 | 3 | 1 | 1 | 1 import, 1 move, 1 drifted |');
    expect(md).toContain('### `example-runners`: 1 to add, 3 to change, 1 to destroy, 1 to replace, 1 to import, 1 to move');
    expect(md).toContain(
      '| **replace** | `aws_ecs_cluster.runners` | `name` (forces replacement): `"loadlab-example-runners"` → `"loadlab-example-runners-v2"`<br>`arn`: `null` → `(known after apply)`<br>`id`: `"arn:aws:ecs:us-east-1:111122223333:cluster/loadlab-example-runners"` → `(known after apply)` |',
    );
    expect(md).toContain('| move | `aws_iam_role.worker` | moved from `aws_iam_role.metadata` |');
    expect(md).toContain('Outputs: `runner_client_secret` (create, sensitive)');
  });

  it('escapes table pipes and backticks so a value cannot break the table', () => {
    const md = all();
    const row = md.split('\n').find((l) => l.includes('genesyscloud_auth_role.runner'))!;
    expect(row).toContain('`` "a \\| b `c`" ``');
    // Every unescaped pipe is a column border: 3 columns → 4 borders.
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(5);
  });

  it('fences the plain-text budget table', () => {
    expect(all()).toContain('## Rate-limit budget\n\n```text\nscenario  users\n--------  -----\nscripts     500\n```');
  });

  it('says "No changes." for an empty plan and shows no warnings', () => {
    const md = planSummaryMarkdown([stackPlan('example-runners', 'no-changes.plan.json')]);
    expect(md).toContain('### `example-runners`: 0 to add, 0 to change, 0 to destroy, 0 to replace\n\nNo changes.');
    expect(md).not.toContain('[!CAUTION]');
    expect(md).not.toContain('[!WARNING]');
  });

  it('flags failed and errored plans at the top', () => {
    const md = planSummaryMarkdown([stackPlan('pr-7-genesys', 'errored.plan.json')], {
      failed: [{ stack: 'pr-7-runners', reason: 'terraform plan exited 1 | pr-7-genesys not deployed yet' }],
    });
    expect(md).toContain('> - `pr-7-runners`: terraform plan exited 1 \\| pr-7-genesys not deployed yet');
    expect(md).toContain('> - `pr-7-genesys`: Terraform reported an error while planning');
    expect(md).toContain('| `pr-7-runners` | – | – | – | – | plan failed |');
  });

  it('shrinks tables to fit a comment but keeps the warnings', () => {
    const many = {
      format_version: '1.2',
      planned_values: {},
      resource_changes: Array.from({ length: 400 }, (_, i) => ({
        address: `aws_sqs_queue.q${i}`,
        mode: 'managed',
        type: 'aws_sqs_queue',
        name: `q${i}`,
        change: { actions: i === 0 ? ['delete'] : ['create'], before: null, after: { name: `queue-${i}-${'x'.repeat(60)}` } },
      })),
    };
    const stacks = [summarizeStack({ stack: 'big-runners', plan: parsePlanJson(many, 'many') })];
    const full = renderPlanSummary(stacks, { maxChars: 1_000_000 });
    expect(full).toContain('| | … and 350 more | |');
    const small = renderPlanSummary(stacks, { maxChars: 5_000 });
    expect(small.length).toBeLessThanOrEqual(5_000);
    expect(small).toContain('**1 resource would be destroyed or replaced:**');
    expect(small).toContain('`aws_sqs_queue.q0` — **destroy**');
  });
});

describe('parsePlanJson', () => {
  it('rejects a state file, a non-object and unknown actions with the file and the fix', () => {
    expect(() => parsePlanJson(fixture('state.json'), 'state.json')).toThrow(
      new PlanFormatError(
        'state.json: this is a state, not a plan (terraform show -json without a plan file); produce it with: terraform show -json <planfile> > plan.json',
      ),
    );
    expect(() => parsePlanJson([], 'x.json')).toThrow(/^x\.json: not a Terraform JSON plan \(expected an object\)/);
    expect(() => parsePlanJson({ format_version: '2.0' }, 'x.json')).toThrow(
      'x.json: format_version 2.0 is not supported (expected 1.x); use Terraform >= 1.0',
    );
    expect(() =>
      parsePlanJson(
        { format_version: '1.2', resource_changes: [{ address: 'a.b', type: 'a', change: { actions: ['destroy'] } }] },
        'x.json',
      ),
    ).toThrow('x.json: resource_changes[0] (a.b): unknown action "destroy"; expected one of no-op, create, read, update, delete, forget');
  });
});

describe('stackNameFromPath', () => {
  it('reads the stack from the cdktf output folder or the file name', () => {
    expect(stackNameFromPath('cdktf.out/stacks/pr-12-runners/plan.json')).toBe('pr-12-runners');
    expect(stackNameFromPath('/tmp/plans/example-genesys.plan.json')).toBe('example-genesys');
    expect(stackNameFromPath('example-archive.json')).toBe('example-archive');
  });
});
