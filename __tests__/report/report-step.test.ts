/**
 * The state machine's report step: the same assembly as npm run report, on the shard contract's
 * keys in S3, with its verdict turned into a failed execution.
 */
import { createReadStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { buildReport, type Report } from '../../loadtest/report';
import { ReportFailedError, runReportStep } from '../../functions/report-step';
import { ReportStepInputError } from '../../functions/report-step/input';
import type { S3Like } from '../../functions/report-step/results';
import { costProfileOf } from '../../lib/cost/profile';
import { repoEnvironment } from '../helpers/env';

const FIXTURES = path.join(__dirname, 'fixtures', 'two-shards');

const fixtureReport = (): Promise<Report> =>
  buildReport(
    ['shard-0', 'shard-1'].map((name) => ({ name, stream: createReadStream(path.join(FIXTURES, `${name}.jtl`)) })),
    { testId: 'fixture', now: new Date('2026-11-23T10:00:00Z') },
  );

/** An in-memory S3 with the three calls the step makes. */
class FakeS3 implements S3Like {
  readonly objects = new Map<string, { body: string; contentType?: string }>();
  readonly calls: string[] = [];
  constructor(
    files: Record<string, string>,
    private readonly pageSize = 1,
  ) {
    for (const [k, v] of Object.entries(files)) this.objects.set(k, { body: v });
  }
  async send(command: ListObjectsV2Command | GetObjectCommand | PutObjectCommand): Promise<unknown> {
    const i = command.input as Record<string, any>;
    this.calls.push(
      `${command.constructor.name} ${i.Bucket}/${i.Key ?? i.Prefix}${i.ContinuationToken ? ` after ${i.ContinuationToken}` : ''}`,
    );
    if (command instanceof ListObjectsV2Command) {
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(`${i.Bucket}/${i.Prefix}`)).sort();
      const start = i.ContinuationToken ? Number(i.ContinuationToken) : 0;
      const page = keys.slice(start, start + this.pageSize);
      const more = start + this.pageSize < keys.length;
      return {
        Contents: page.map((k) => ({ Key: k.slice(i.Bucket.length + 1), Size: this.objects.get(k)!.body.length })),
        IsTruncated: more,
        NextContinuationToken: more ? String(start + this.pageSize) : undefined,
      };
    }
    if (command instanceof GetObjectCommand) {
      const o = this.objects.get(`${i.Bucket}/${i.Key}`);
      if (!o) throw new Error(`NoSuchKey ${i.Key}`);
      // Small chunks, as a network stream would deliver them.
      const chunks = o.body.match(/[\s\S]{1,37}/g) ?? [];
      return { Body: Readable.from(chunks.map((c) => Buffer.from(c))) };
    }
    this.objects.set(`${i.Bucket}/${i.Key}`, { body: String(i.Body), contentType: i.ContentType });
    return {};
  }
}

describe('report step (state machine Lambda)', () => {
  const files = {
    'results-bkt/results/t-1/shards/0/shard-0.jtl': readFileSync(path.join(FIXTURES, 'shard-0.jtl'), 'utf8'),
    'results-bkt/results/t-1/shards/1/shard-1.jtl': readFileSync(path.join(FIXTURES, 'shard-1.jtl'), 'utf8'),
    'results-bkt/results/t-1/shards/1/shard-1.log': 'jmeter log, not a result file',
    'results-bkt/results/t-1/plan/agent-scripts.jmx': '<jmeterTestPlan/>',
    'results-bkt/results/t-2/shards/0/shard-0.jtl': 'someone else',
  };

  it('merges every shard under the prefix (all pages), writes report.json and report.html next to them', async () => {
    const s3 = new FakeS3(files);
    const out = await runReportStep(
      {
        testId: 't-1',
        resultsBucket: 'results-bkt',
        resultsPrefix: 'results/t-1',
        analyticsBucket: 'reports-bkt',
        metadataPrefix: 'metadata/',
        analyticsPrefix: 'analytics/',
        shards: 2,
      },
      s3,
      new Date('2026-11-23T10:00:00Z'),
    );
    expect(out).toEqual({
      testId: 't-1',
      bucket: 'results-bkt',
      reportJsonKey: 'results/t-1/report.json',
      reportHtmlKey: 'results/t-1/report.html',
      junitKey: 'results/t-1/junit.xml',
      shards: 2,
      requests: 18,
      errorShare: 0.166667,
      throttledShare: 0.111111,
      passed: true,
      failures: [],
      warnings: [],
    });
    // One object per page: four pages under results/t-1/ (two JTLs, a log and the plan).
    expect(s3.calls.filter((c) => c.startsWith('ListObjectsV2Command'))).toHaveLength(4);
    expect(s3.calls.filter((c) => c.startsWith('GetObjectCommand'))).toEqual([
      'GetObjectCommand results-bkt/results/t-1/shards/0/shard-0.jtl',
      'GetObjectCommand results-bkt/results/t-1/shards/1/shard-1.jtl',
    ]);
    const json = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
    // The same figures as the CLI on the same files.
    const cli = await fixtureReport();
    expect(json.totals).toEqual(cli.totals);
    expect(json.shards.map((s) => s.name)).toEqual(['shard-0', 'shard-1']);
    expect(json.links.metadata).toEqual({
      uri: 's3://results-bkt/metadata/',
      consoleUrl: expect.stringContaining('/s3/buckets/results-bkt?prefix=metadata%2F'),
    });
    expect(json.links.analytics!.uri).toBe('s3://reports-bkt/analytics/');
    const html = s3.objects.get('results-bkt/results/t-1/report.html')!;
    expect(html.contentType).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('s3://reports-bkt/analytics/');
  });

  it('draws the planned rate from the plan summary npm run loadtest uploaded, and only warns about a bad one', async () => {
    const summary = { shards: 2, targetRpmPerShard: 30, rampUpSec: 0, endpoints: [{ label: 'GET /api/v2/scripts', share: 1 }] };
    const s3 = new FakeS3({ ...files, 'results-bkt/results/t-1/plan/agent-scripts.summary.json': JSON.stringify(summary) }, 5);
    const out = await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/' }, s3);
    expect(out.warnings).toEqual([]);
    const json = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
    expect(json.target).toEqual({
      requestsPerMinute: 60,
      rampUpSec: 0,
      byLabel: { 'GET /api/v2/scripts': 60 },
      source: 'agent-scripts.summary.json',
      shards: 2,
    });
    expect(s3.objects.get('results-bkt/results/t-1/report.html')!.body).toContain('planned, all endpoints (60/min)');

    const bad = new FakeS3({ ...files, 'results-bkt/results/t-1/plan/agent-scripts.summary.json': '{"shards": 2}' }, 5);
    const badOut = await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/' }, bad);
    expect(badOut.warnings).toEqual([
      'plan summary s3://results-bkt/results/t-1/plan/agent-scripts.summary.json not used: agent-scripts.summary.json: targetRpmPerShard must be a number >= 0 (is this a plan summary from npm run jmx -- --summary?)',
    ]);
    expect(JSON.parse(bad.objects.get('results-bkt/results/t-1/report.json')!.body).target).toBeUndefined();
  });

  it('still writes a (partial) report when shards are missing, saying why', async () => {
    const s3 = new FakeS3({ 'results-bkt/results/t-1/shards/0/shard-0.jtl': files['results-bkt/results/t-1/shards/0/shard-0.jtl'] });
    const out = await runReportStep(
      {
        testId: 't-1',
        resultsBucket: 'results-bkt',
        resultsPrefix: 'results/t-1/',
        shards: 3,
        partial: true,
        error: { Error: 'States.TaskFailed', Cause: 'shard 2 exited 1' },
      },
      s3,
    );
    expect(out.requests).toBe(10);
    expect(out.warnings[0]).toMatch(/^partial report: the test failed or was stopped before the end: .*shard 2 exited 1/);
    expect(out.warnings[1]).toBe('only 1 of 3 shards uploaded results');
    expect(out.passed).toBe(true);
    expect(out.warnings[2]).toBe('missing shard results: results/t-1/shards/1/shard-1.jtl, results/t-1/shards/2/shard-2.jtl');
    // A complete run without samples is a failed run: the files are written, then the step fails the execution.
    const emptyS3 = new FakeS3({});
    const failed = runReportStep({ testId: 't-9', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-9/' }, emptyS3);
    await expect(failed).rejects.toThrow(ReportFailedError);
    await expect(failed).rejects.toMatchObject({
      name: 'ReportFailed',
      output: {
        passed: false,
        warnings: ['no result files under s3://results-bkt/results/t-9/: no shard uploaded results', expect.any(String)],
      },
    });
    expect(emptyS3.objects.get('results-bkt/results/t-9/report.html')!.body).toContain('no samples');
    expect(emptyS3.objects.get('results-bkt/results/t-9/junit.xml')!.body).toContain(
      '<failure message="the results hold no JMeter samples"/>',
    );
  });

  it('reads only the shard contract keys, and reports missing and unexpected shard files', async () => {
    const s3 = new FakeS3({
      ...files,
      'results-bkt/results/t-1/shards/0/shard-0-retry.jtl': files['results-bkt/results/t-1/shards/0/shard-0.jtl'],
      'results-bkt/results/t-1/shards/1/shard-2.jtl': files['results-bkt/results/t-1/shards/1/shard-1.jtl'],
      'results-bkt/results/t-1/results.csv': 'a,b',
      'results-bkt/results/t-1/plan/agent-scripts.params': 'scriptId\nabc',
    });
    const out = await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/', shards: 3 }, s3);
    expect(out.requests).toBe(18);
    expect(s3.calls.filter((c) => c.startsWith('GetObjectCommand'))).toEqual([
      'GetObjectCommand results-bkt/results/t-1/shards/0/shard-0.jtl',
      'GetObjectCommand results-bkt/results/t-1/shards/1/shard-1.jtl',
    ]);
    const json = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
    expect(json.shardFiles).toEqual({
      read: ['results/t-1/shards/0/shard-0.jtl', 'results/t-1/shards/1/shard-1.jtl'],
      missing: ['results/t-1/shards/2/shard-2.jtl'],
      unexpected: ['results/t-1/results.csv', 'results/t-1/shards/0/shard-0-retry.jtl', 'results/t-1/shards/1/shard-2.jtl'],
    });
    const html = s3.objects.get('results-bkt/results/t-1/report.html')!.body;
    expect(html).toMatch(/<ul id="shard-files-missing"><li><code>results\/t-1\/shards\/2\/shard-2\.jtl<\/code>/);
    expect(html).toContain('<li><code>results/t-1/shards/1/shard-2.jtl</code></li>');
  });

  it('fails the execution when a threshold is missed, after writing the report and a JUnit file that say which', async () => {
    const summary = {
      scenario: 'agent-scripts',
      environment: 'dev',
      shards: 2,
      tokensPerShard: 1,
      // 240/min planned; the shards sent 18 requests in 9 s (120/min): half the plan.
      targetRpmPerShard: 120,
      rampUpSec: 0,
      durationSec: 10,
      endpoints: [{ label: 'GET /api/v2/scripts', share: 1 }],
      thresholds: { p95Ms: 650, maxErrorPercent: 20, minAchievedPercent: 90 },
    };
    const s3 = new FakeS3({ ...files, 'results-bkt/results/t-1/plan/agent-scripts.summary.json': JSON.stringify(summary) });
    const run = runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/', shards: 2 }, s3);
    await expect(run).rejects.toThrow(
      'load test t-1 failed: all endpoints p95: 700 ms, goal <= 650 ms; achieved share of plan: 50 %, goal >= 90 %',
    );
    const json = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
    expect(json.verdict.passed).toBe(false);
    expect(json.verdict.checks.map((c) => [c.name, c.passed])).toEqual([
      ['all endpoints p95', false],
      ['error share', true],
      ['achieved share of plan', false],
    ]);
    const junit = s3.objects.get('results-bkt/results/t-1/junit.xml')!;
    expect(junit.contentType).toBe('application/xml');
    expect(junit.body).toContain('<testsuites name="loadlab" tests="4" failures="2">');
    expect(junit.body).toContain('<failure message="all endpoints p95: 700 ms, goal &lt;= 650 ms"/>');
    // The failure path's partial report does not throw: the execution fails there anyway.
    const partial = await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/', partial: true }, s3);
    expect(partial.passed).toBe(false);
    const html = s3.objects.get('results-bkt/results/t-1/report.html')!.body;
    expect(html).toContain('<h1 id="title">agent-scripts on dev</h1>');
    expect(html).toContain('<div id="verdict" class="verdict-box fail" data-passed="false"><b>FAILED</b>');
  });

  it('rejects bad input, naming the field', async () => {
    await expect(runReportStep({ testId: '../x', resultsBucket: 'B', resultsPrefix: 'a b' }, new FakeS3({}))).rejects.toThrow(
      ReportStepInputError,
    );
    await expect(runReportStep({ testId: '../x', resultsBucket: 'B', resultsPrefix: 'a b' }, new FakeS3({}))).rejects.toThrow(
      'report step input: testId must be 1-128 letters, digits, ".", "_" or "-"; resultsBucket must be an S3 bucket name; resultsPrefix must be an S3 key prefix',
    );
    const tasks = [{ taskArn: 'x' }, { shard: 1, stoppedAt: {} }] as any;
    await expect(
      runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'r/', tasks }, new FakeS3({})),
    ).rejects.toThrow(
      "report step input: tasks[0].shard must be the shard's index (an integer >= 0); tasks[1].stoppedAt must be epoch milliseconds or an ISO time",
    );
  });

  describe('the actual cost', () => {
    const env = repoEnvironment();
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });
    const t0 = Date.parse('2026-11-23T09:00:00Z');
    const tasks = [0, 1].map((shard) => ({ shard, taskArn: `arn:task/${shard}`, pullStartedAt: t0, stoppedAt: t0 + 900_000 }));

    it("prices the tasks' record, its own invocation and the bytes read with the deployed COST_PROFILE", async () => {
      process.env.COST_PROFILE = JSON.stringify(costProfileOf(env.name, env.config));
      process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '2048';
      const s3 = new FakeS3(files, 5);
      const out = await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/', tasks }, s3);
      const json = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
      const actual = json.cost!.actual!;
      expect(actual.taskSeconds).toEqual([900, 900]);
      expect(actual.basis).toMatch(/state machine's record.*Lambda: 1 invocation\(s\) measured.*bytes: the results files/);
      const jtlBytes =
        files['results-bkt/results/t-1/shards/0/shard-0.jtl'].length + files['results-bkt/results/t-1/shards/1/shard-1.jtl'].length;
      expect(actual.lines.find((l) => l.key === 's3GbMonth')!.quantity).toBeCloseTo(jtlBytes / 1024 ** 3, 15);
      expect(out.cost).toEqual({ actualUsd: actual.usd, estimateUsd: null, region: 'us-east-1', pricesDate: json.cost!.prices!.date });
      expect(s3.objects.get('results-bkt/results/t-1/report.html')!.body).toContain('<section id="cost" data-known="true">');
    });

    it('still writes the report when the profile is missing or bad, saying the cost is unknown', async () => {
      delete process.env.COST_PROFILE;
      const s3 = new FakeS3(files, 5);
      const out = await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/' }, s3);
      expect(out.cost).toBeUndefined();
      const json = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
      expect(json.cost!.unknown).toMatch(/no COST_PROFILE; redeploy the runners stack/);
      process.env.COST_PROFILE = '{"region": "us-east-1"}';
      await runReportStep({ testId: 't-1', resultsBucket: 'results-bkt', resultsPrefix: 'results/t-1/' }, s3);
      const bad = JSON.parse(s3.objects.get('results-bkt/results/t-1/report.json')!.body) as Report;
      expect(bad.cost!.unknown).toMatch(/COST_PROFILE: environment must be a non-empty string; runners\.cpu must be a number >= 0/);
    });
  });
});
