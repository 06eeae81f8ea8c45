/**
 * loadtest/entrypoint.sh end to end, as the state machine runs it but outside a container: the
 * JMeter home of `npm run jmeter:install` (what the image runs), S3 and Secrets Manager from the
 * local AWS stand-in (moto's server mode, scripts/install-aws-standin.sh) reached by the real AWS
 * CLI, Genesys from the simulator; every server on 127.0.0.1. Each case checks the exit code
 * (lib/runners/shard-exit.ts), the keys uploaded, and that the client secret appears nowhere: not
 * in the script's output, the uploaded files, the files it leaves, or any process's arguments.
 * Skipped without Java or the stand-in, unless LOADLAB_REQUIRE_JMETER=1 (.ci/run) makes that a failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { loadSelectedEnvironment } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits/planner';
import { SHARD_EXIT_CODES } from '../../lib/runners/shard-exit';
import { testKey } from '../../lib/contracts/test-keys';
import { ensureJmeter, javaProblem } from '../../loadtest/jmeter/home';
import { generateTestPlan } from '../../loadtest/jmx/generate';
import { SAMPLE_VARIABLES } from '../../loadtest/labels';
import { startSimulator, type Simulator } from '../../sim/server';
import { catalogueLimits } from '../../sim/admission';
import { AWS_STANDIN_BIN, awsStandinProblem, freePort, REGION, startAwsStandin, type AwsStandin } from './aws-standin';

const required = process.env.LOADLAB_REQUIRE_JMETER === '1';
const missing = javaProblem() ?? awsStandinProblem();
if (missing && !required) console.warn(`entry-script end-to-end suite skipped: ${missing}`);
const suite = missing && !required ? describe.skip : describe;

const SCENARIO = 'agent-scripts';
const BUCKET = 'loadlab-example-results-111122223333';
const CLIENT_ID = 'runner-0';
// Random per run, so finding it anywhere can only mean it leaked.
const SECRET = `e2e-${Math.random().toString(36).slice(2)}-secret`;
const BASIC = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');

interface ShardRun {
  readonly code: number | null;
  readonly output: string;
  readonly work: string;
  /** Every process's arguments, sampled while the script ran. */
  readonly processArgs: string;
}

suite('loadtest/entrypoint.sh end to end (JMeter, the AWS CLI against moto, the simulator)', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'loadlab-e2e-'));
  const env = loadSelectedEnvironment('example');
  const budget = planBudget(env.config);
  let home: string;
  let aws: AwsStandin;
  let sim: Simulator;
  let secretArn: string;
  let n = 0;

  beforeAll(async () => {
    home = await ensureJmeter((line) => console.log(line));
    aws = await startAwsStandin(scratch);
    sim = await startSimulator({ limits: catalogueLimits(env.config.genesys.limits), clients: [{ id: CLIENT_ID, secret: SECRET }] });
    await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const created = await aws.secrets.send(
      new CreateSecretCommand({
        Name: 'loadlab/example/runner-0',
        SecretString: JSON.stringify({ clientId: CLIENT_ID, clientSecret: SECRET }),
      }),
    );
    secretArn = created.ARN!;
  }, 600_000);

  afterAll(async () => {
    await sim?.stop();
    await aws?.stop();
  });

  /** A fresh test id with the scenario's plan (and ids) uploaded, as npm run loadtest leaves it. */
  async function uploadPlan(): Promise<{ testId: string; env: Record<string, string> }> {
    const testId = `example_e2e-${++n}`;
    const generated = generateTestPlan(env, budget, SCENARIO);
    const put = (key: string, body: string) => aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await put(testKey('plan', { testId, scenario: SCENARIO }), generated.xml);
    const columns = generated.summary.csvColumns;
    if (columns.length)
      await put(testKey('params', { testId, scenario: SCENARIO }), `${columns.join(',')}\n${columns.map((c) => `${c}-1`).join(',')}\n`);
    const uri = (key: Parameters<typeof testKey>[0]) => `s3://${BUCKET}/${testKey(key, { testId, scenario: SCENARIO, shard: 0 })}`;
    return {
      testId,
      env: {
        TEST_ID: testId,
        SCENARIO,
        SHARD_INDEX: '0',
        SHARD_COUNT: '1',
        CLIENT_SECRET_ARN: secretArn,
        PLAN_S3_URI: uri('plan'),
        RESULTS_S3_URI: uri('shard'),
        PARAMS_S3_URI: columns.length ? uri('params') : '',
        GENESYS_API_BASE: sim.apiBase,
        GENESYS_LOGIN_BASE: sim.loginBase,
        LOADLAB_ENV: 'example',
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        // A small shard: 3 tokens, 4 threads, 10 requests/s for 15 s.
        TOKENS_PER_SHARD: '3',
        THREADS: '4',
        TARGET_RPM: '600',
        DURATION_SEC: '15',
        RAMP_UP_SEC: '2',
        MAX_ERROR_SHARE: '0.05',
        MAX_429_SHARE: '0.05',
      },
    };
  }

  /** Runs the script with only what a task has (plus the stand-in's endpoint), sampling `ps` meanwhile. */
  async function runShard(vars: Record<string, string>, onOutput?: (text: string, pid: number) => void): Promise<ShardRun> {
    const work = mkdtempSync(path.join(scratch, 'work-'));
    const child = spawn('bash', [path.resolve(__dirname, '..', '..', 'loadtest', 'entrypoint.sh')], {
      env: {
        PATH: `${AWS_STANDIN_BIN}:${path.join(home, 'bin')}:${process.env.PATH}`,
        HOME: work,
        WORK_DIR: work,
        HEAP: '-Xms128m -Xmx256m',
        JVM_ARGS: '-Duser.timezone=UTC -XX:TieredStopAtLevel=1',
        JMETER_STOP_PORT: String(await freePort()),
        ...aws.cliEnv,
        ...vars,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let processArgs = '';
    const sample = setInterval(() => (processArgs += spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout), 500);
    const collect = (d: Buffer) => {
      output += d.toString();
      onOutput?.(output, child.pid!);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sample);
    return { code, output, work, processArgs };
  }

  /** Keys below the test, and the text of each. */
  async function uploaded(testId: string): Promise<Record<string, string>> {
    const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: testKey('shards', { testId }) }));
    const out: Record<string, string> = {};
    for (const { Key } of listed.Contents ?? []) {
      const got = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: Key! }));
      out[Key!] = await got.Body!.transformToString();
    }
    return out;
  }

  const shardKeys = (testId: string) =>
    [0].flatMap((s) => ['jtl', 'log'].map((x) => `${testKey('shard', { testId, shard: s })}shard-${s}.${x}`));

  /** The secret (and its Basic form) in nothing the run produced or showed. */
  function expectNoSecret(run: ShardRun, files: Record<string, string>): void {
    const left = readdirSync(run.work, { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(run.work, f))
      .filter((f) => statSync(f).isFile());
    const haystacks = {
      output: run.output,
      processArgs: run.processArgs,
      ...files,
      ...Object.fromEntries(left.map((f) => [f, readFileSync(f, 'utf8')])),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      expect({ where, secret: text.includes(SECRET), basic: text.includes(BASIC) }).toEqual({ where, secret: false, basic: false });
    }
    expect(run.processArgs.length).toBeGreaterThan(0);
  }

  it('good path: runs its load, uploads exactly shard-0.jtl and .log with the loadlab columns, exits 0', async () => {
    const { testId, env: vars } = await uploadPlan();
    const run = await runShard(vars);
    expect({ code: run.code, tail: run.output.slice(-1500) }).toEqual({ code: 0, tail: expect.stringContaining('ran its load:') });
    const files = await uploaded(testId);
    expect(Object.keys(files).sort()).toEqual(shardKeys(testId));
    const [header, ...samples] = files[shardKeys(testId)[0]].trim().split('\n');
    for (const column of SAMPLE_VARIABLES) expect(header).toContain(column);
    expect(samples.length).toBeGreaterThan(50);
    expect(files[shardKeys(testId)[1]]).not.toContain('Could not access');
    expectNoSecret(run, files);
  }, 300_000);

  it('a plan URI with nothing behind it: exit 2, naming it, nothing uploaded', async () => {
    const { testId, env: vars } = await uploadPlan();
    const run = await runShard({ ...vars, PLAN_S3_URI: `s3://${BUCKET}/results/${testId}/plan/missing.jmx` });
    expect(run.code).toBe(SHARD_EXIT_CODES.INPUT.code);
    expect(run.output).toContain(`could not fetch the plan s3://${BUCKET}/results/${testId}/plan/missing.jmx`);
    expect(await uploaded(testId)).toEqual({});
    expectNoSecret(run, {});
  }, 120_000);

  it('an unknown secret: exit 2 with one error naming the secret, nothing uploaded', async () => {
    const { testId, env: vars } = await uploadPlan();
    const unknown = `arn:aws:secretsmanager:${REGION}:123456789012:secret:loadlab/example/runner-9-AbCdEf`;
    const run = await runShard({ ...vars, CLIENT_SECRET_ARN: unknown });
    expect(run.code).toBe(SHARD_EXIT_CODES.INPUT.code);
    expect(run.output).toContain('ResourceNotFoundException');
    expect(run.output).toContain(`error: could not read the OAuth client secret ${unknown}`);
    expect(run.output.match(/ error: /g)).toHaveLength(1);
    expect(await uploaded(testId)).toEqual({});
    expectNoSecret(run, {});
  }, 120_000);

  it('Genesys down: no token, exit 4 (not 0), and the JTL of failed token requests is still uploaded', async () => {
    const { testId, env: vars } = await uploadPlan();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runShard({ ...vars, GENESYS_API_BASE: closed, GENESYS_LOGIN_BASE: closed });
    expect(run.code).toBe(SHARD_EXIT_CODES.TOKENS.code);
    expect(run.output).toMatch(/error: got 0 of 3 access tokens \(\d+ token requests\)/);
    const files = await uploaded(testId);
    expect(Object.keys(files).sort()).toEqual(shardKeys(testId));
    expectNoSecret(run, files);
  }, 300_000);

  // The plan's token fetch backs off over its start-up window (TOKEN_RETRY_WINDOW_SEC), so a blip of a
  // few seconds at start costs seconds, not the test.
  it('Genesys failing for the first 3 s: the token fetch backs off, the shard runs its load and exits 0', async () => {
    const { testId, env: vars } = await uploadPlan();
    const port = await freePort();
    const late = `http://127.0.0.1:${port}`;
    // Genesys resets every connection for 3 s from the shard's first one, then the simulator answers on that port.
    let coming: Promise<Simulator> | undefined;
    const failing = createServer((socket) => {
      socket.destroy();
      coming ??= new Promise((r) => setTimeout(r, 3000))
        .then(() => new Promise((r) => failing.close(r)))
        .then(() =>
          startSimulator({ port, limits: catalogueLimits(env.config.genesys.limits), clients: [{ id: CLIENT_ID, secret: SECRET }] }),
        );
    });
    await new Promise<void>((r) => failing.listen(port, '127.0.0.1', () => r()));
    const run = await runShard({ ...vars, GENESYS_API_BASE: late, GENESYS_LOGIN_BASE: late });
    failing.close();
    await (await coming!).stop();
    expect({ code: run.code, tail: run.output.slice(-1500) }).toEqual({ code: 0, tail: expect.stringContaining('ran its load:') });
    const files = await uploaded(testId);
    expect(Object.keys(files).sort()).toEqual(shardKeys(testId));
    // The shard's JMeter log (uploaded as shard-0.log) shows the backoff that bridged the blip.
    expect(files[shardKeys(testId)[1]]).toMatch(/loadlab: token retry 1 /);
    expectNoSecret(run, await uploaded(testId));
  }, 300_000);

  it('SIGTERM mid-test: stops JMeter through stoptest.sh, uploads what it has, exits 8', async () => {
    const { testId, env: vars } = await uploadPlan();
    const before = sim.stats().totals.requests;
    let sent = false;
    const started = Date.now();
    const run = await runShard({ ...vars, DURATION_SEC: '300' }, (text, pid) => {
      if (sent || !text.includes('running JMeter')) return;
      sent = true;
      // Once the load runs (the simulator has seen requests of this shard), as a StopTask would come.
      const poll = setInterval(() => {
        if (sim.stats().totals.requests - before > 30 || Date.now() - started > 120_000) {
          clearInterval(poll);
          process.kill(pid, 'SIGTERM');
        }
      }, 200);
    });
    expect(run.code).toBe(SHARD_EXIT_CODES.STOPPED.code);
    expect(run.output).toContain('stop requested');
    expect(Date.now() - started).toBeLessThan(240_000);
    const files = await uploaded(testId);
    expect(Object.keys(files).sort()).toEqual(shardKeys(testId));
    expect(files[shardKeys(testId)[0]].trim().split('\n').length).toBeGreaterThan(10);
    // JMeter ended with the script (no java left with this run's work folder).
    expect(spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout).not.toContain(run.work);
    expectNoSecret(run, files);
  }, 300_000);
});
