/**
 * The run's actual cost in the report (issue 23, item 3): report.json's `cost` has the estimate
 * and the actual cost line by line at the same price table, report.html shows them side by side,
 * a comparison with a baseline has the delta, and a report that does not know the environment
 * says so. `npm run report -- --env` and the demo price the sample results.
 */
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { assembleReport, comparisonMarkdown, taskRecordFromJson, type Report } from '../../loadtest/report';
import { costProfileOf, parseCostProfile } from '../../lib/cost/profile';
import { priceTable } from '../../lib/cost/prices';
import { runReport } from '../../commands/report';
import { runDemo } from '../../commands/demo';
import { repoEnvironment } from '../helpers/env';

const FIXTURES = path.join(__dirname, 'fixtures', 'two-shards');
const ROOT = path.resolve(__dirname, '..', '..');
const env = repoEnvironment();
const profile = costProfileOf(env.name, env.config);
const target = { requestsPerMinute: 60, rampUpSec: 0, byLabel: {}, source: 'agent-scripts.summary.json', shards: 2, durationSec: 600 };

const sources = () =>
  ['shard-0', 'shard-1'].map((shard) => ({
    name: `${shard}.jtl`,
    shard,
    open: () => Promise.resolve(createReadStream(path.join(FIXTURES, `${shard}.jtl`))),
  }));

const assemble = (cost: Parameters<typeof assembleReport>[0]['cost'], baseline?: Report) =>
  assembleReport({ sources: sources(), options: { testId: 'costed', target, now: new Date('2026-12-08T10:00:00Z') }, cost, baseline });

const quiet = { log: () => undefined, write: () => undefined };

describe('the actual cost in the report', () => {
  it('report.json has cost.estimate and cost.actual, with lines and totals at one dated price table', async () => {
    const { report, files } = await assemble({ profile });
    const json = JSON.parse(files['report.json']) as Report;
    const cost = json.cost!;
    expect(cost.prices).toEqual({ region: 'us-east-1', date: priceTable('us-east-1').date, overridden: [], reference: expect.any(String) });
    for (const figures of [cost.estimate!, cost.actual!]) {
      expect(figures.lines.length).toBeGreaterThan(10);
      expect(figures.usd).toBeCloseTo(
        figures.lines.reduce((a, l) => a + l.usd, 0),
        12,
      );
      for (const l of figures.lines) expect(l.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
    }
    // The estimate is the run as planned: 2 shards x 600 s plus the start-up allowance.
    const vcpu = (lines: readonly { key: string; quantity: number }[]) => lines.find((l) => l.key === 'fargateVcpuHour')!.quantity;
    expect(vcpu(cost.estimate!.lines)).toBeCloseTo((2 * 2 * (600 + 180)) / 3600, 10);
    // The actual: each shard's first to last sample plus cost.startUpSec.
    const spans = report.shards.map((s) => (Date.parse(s.end!) - Date.parse(s.start!)) / 1000 + 180);
    expect(cost.actual!.taskSeconds).toEqual(spans);
    expect(vcpu(cost.actual!.lines)).toBeCloseTo((2 * spans.reduce((a, b) => a + b)) / 3600, 10);
    expect(cost.actual!.basis).toMatch(/first to last sample plus cost\.startUpSec \(180 s\)/);
    expect(cost.notes!.join(' ')).toMatch(/estimate only \(.*sqsRequests/);
  });

  it("prices the task the plan summary names (the planner's pick), not the environment's runners.cpu", async () => {
    const picked = { ...target, task: { cpu: 512, memoryMiB: 1024 } };
    const { files } = await assembleReport({
      sources: sources(),
      options: { testId: 'picked', target: picked, now: new Date('2026-12-08T10:00:00Z') },
      cost: { profile },
    });
    const cost = (JSON.parse(files['report.json']) as Report).cost!;
    const quantity = (lines: readonly { key: string; quantity: number }[], key: string) => lines.find((l) => l.key === key)!.quantity;
    expect(quantity(cost.estimate!.lines, 'fargateVcpuHour')).toBeCloseTo((2 * 0.5 * (600 + 180)) / 3600, 10);
    expect(quantity(cost.estimate!.lines, 'fargateGbHour')).toBeCloseTo((2 * 1 * (600 + 180)) / 3600, 10);
    const billedHours = cost.actual!.taskSeconds.reduce((a, b) => a + b, 0) / 3600;
    expect(quantity(cost.actual!.lines, 'fargateVcpuHour')).toBeCloseTo(0.5 * billedHours, 10);
  });

  it('says the cost is unknown when neither the plan summary nor the environment gives a task size', async () => {
    const unsized = { ...profile, runners: { fargateSpot: false } };
    const { files } = await assemble({ profile: unsized });
    expect((JSON.parse(files['report.json']) as Report).cost).toEqual({
      environment: env.name,
      unknown: expect.stringMatching(/names no task size .*npm run jmx/),
    });
  });

  it("bills the tasks' own times from the state machine's record (epoch ms, as Step Functions passes them)", async () => {
    const t0 = Date.parse('2026-12-08T09:00:00Z');
    const tasks = taskRecordFromJson(
      {
        shards: [0, 1].map((shard) => ({
          shard,
          taskArn: `t${shard}`,
          pullStartedAt: t0,
          startedAt: t0 + 30_000,
          stoppedAt: t0 + 1_800_000,
        })),
      },
      'record',
    );
    const { report } = await assemble({ profile, tasks, lambda: { invocations: 1, gbSeconds: 10 }, bytesWritten: 1024 ** 3 });
    const actual = report.cost!.actual!;
    expect(actual.taskSeconds).toEqual([1800, 1800]);
    expect(actual.basis).toMatch(/state machine's record/);
    expect(actual.lines.find((l) => l.key === 'lambdaGbSecond')!.quantity).toBe(10);
    expect(actual.lines.find((l) => l.key === 's3GbMonth')!.quantity).toBe(1);
    // A record without a stop time cannot be billed from: the samples are.
    const partial = await assemble({ profile, tasks: [{ shard: 0, start: '2026-12-08T09:00:00.000Z', end: null }] });
    expect(partial.report.cost!.actual!.basis).toMatch(/first to last sample/);
  });

  it('report.html shows each line, estimate beside actual, the totals and the price table', async () => {
    const { report, files } = await assemble({ profile });
    const html = files['report.html'];
    expect(html).toContain('<section id="cost" data-known="true">');
    expect(html).toContain('data-cost-line="fargateVcpuHour"');
    expect(html).toContain('data-cost-line="sqsRequests"');
    expect(html).toMatch(/id="cost-estimate-total">\$[\d.]+</);
    expect(html).toContain(`id="cost-actual-total">$${report.cost!.actual!.usd.toFixed(4)}<`);
    expect(html).toMatch(/Prices: the us-east-1 table of \d{4}-\d{2}-\d{2}/);
    expect(html).toContain('<a href="https://aws.amazon.com/fargate/pricing/">');
  });

  it('says the cost is unknown when the report does not know the environment', async () => {
    const { files } = await assemble(undefined);
    expect(JSON.parse(files['report.json']).cost).toEqual({ unknown: expect.stringMatching(/^cost: unknown — pass --env/) });
    expect(files['report.html']).toMatch(/<section id="cost" data-known="false">.*cost: unknown — pass --env/);
    // A region without a table and no prices of its own: unknown, with the price table's own error.
    const { report } = await assemble({ profile: { ...profile, region: 'sa-east-1' } });
    expect(report.cost!.unknown).toMatch(/cost: unknown — cost\.prices: no price table for aws\.region sa-east-1/);
  });

  it('the comparison with a baseline has the cost delta (json, Markdown, page)', async () => {
    const baseline = (await assemble({ profile, lambda: { invocations: 1, gbSeconds: 0 } })).report;
    const { comparison, files } = await assemble({ profile, lambda: { invocations: 1, gbSeconds: 1200 } }, baseline);
    const c = comparison!.cost!;
    expect(c.baselineUsd).toBe(baseline.cost!.actual!.usd);
    expect(c.deltaUsd).toBeCloseTo(1200 * 0.0000166667, 8);
    expect(c.deltaPercent).toBeGreaterThan(0);
    expect(JSON.parse(files['report.json']).comparison.cost).toEqual(c);
    expect(comparisonMarkdown(comparison!)).toMatch(/Actual AWS cost: \$[\d.]+ → \$[\d.]+ \(\+\$0\.0200, \+[\d.]+ %\)/);
    expect(files['report.html']).toMatch(/<p id="cost-delta">Actual AWS cost: /);
    // No cost on one side (an older report.json): no delta rather than a wrong one.
    const { comparison: none } = await assemble({ profile }, { ...baseline, cost: undefined });
    expect(none!.cost).toBeUndefined();
  });

  it('reads the cost profile the runners stack sets, and names every bad field', () => {
    expect(parseCostProfile(JSON.parse(JSON.stringify(profile)), 'COST_PROFILE')).toEqual(profile);
    const bad = { ...profile, runners: { cpu: -1, memoryMiB: 4096 }, prices: { fargateVcpuHours: 1 } };
    expect(() => parseCostProfile(bad, 'COST_PROFILE')).toThrow(
      /COST_PROFILE: runners\.cpu must be a number >= 0; runners\.fargateSpot must be true or false; prices\.fargateVcpuHours is not a price line .*redeploy the runners stack/,
    );
    expect(() => taskRecordFromJson({ shards: [{ taskArn: 'x' }] }, '--task-record r.json')).toThrow(
      "--task-record r.json: [0].shard must be the shard's index (an integer >= 0)",
    );
  });

  it('npm run report prices the run with --env (and --task-record), and says how otherwise', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'loadlab-cost-'));
    const lines: string[] = [];
    expect(await runReport([FIXTURES, '--out', out], { ...quiet, log: (l) => lines.push(l) })).toBe(0);
    expect(lines).toContain('cost: unknown — pass --env <environment> (the environment file has the region and prices)');
    const record = path.join(out, 'record.json');
    const t0 = Date.parse('2026-12-08T09:00:00Z');
    writeFileSync(record, JSON.stringify({ shards: [{ shard: 0, pullStartedAt: t0, stoppedAt: t0 + 600_000 }] }));
    lines.length = 0;
    expect(
      await runReport([FIXTURES, '--out', out, '--env', 'example', '--task-record', record], { ...quiet, log: (l) => lines.push(l) }),
    ).toBe(0);
    expect(lines.find((l) => l.startsWith('cost: '))).toMatch(/^cost: actual \$[\d.]+ \(prices: the us-east-1 table of /);
    const json = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(json.cost!.actual!.taskSeconds).toEqual([600]);
    await expect(runReport([FIXTURES, '--out', out, '--task-record', record], quiet)).rejects.toThrow('--task-record needs --env');
  });

  it('the demo (examples/results) shows an actual cost and its change from the baseline', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'loadlab-demo-'));
    const lines: string[] = [];
    await runDemo(['--out', out], { ...quiet, log: (l) => lines.push(l) }, ROOT);
    expect(lines.find((l) => l.startsWith('cost: '))).toMatch(/^cost: actual \$[\d.]+, estimated \$[\d.]+ \(prices: the us-east-1 table/);
    const json = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(json.cost.environment).toBe('example');
    expect(json.comparison.cost.baselineUsd).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('id="cost-delta"');
  });
});
