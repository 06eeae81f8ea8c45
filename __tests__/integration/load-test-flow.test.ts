/**
 * One load test walked through every seam, without AWS: `npm run loadtest` uploads the generated
 * plan and starts the execution; the state machine (synthesized for the example environment, run
 * by the ASL interpreter) starts each shard; each "shard" is the real loadtest/entrypoint.sh with
 * the task definition's environment plus the state machine's container overrides, and stand-in
 * `aws` (a folder plays S3) and `jmeter` commands; the report step Lambda then merges what the
 * shards uploaded, and the report-jobs worker's parser reads the message the state machine sends.
 * Every S3 and Secrets Manager call is also checked against the IAM policy of the role that makes it.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { runReportStep, type ReportStepOutput } from '../../functions/report-step';
import type { S3Like } from '../../functions/report-step/results';
import type { ReportStepInput } from '../../lib/contracts/report-step';
import { parseReportMessage, reportKeys } from '../../functions/report-jobs/messages';
import { generateTestPlan } from '../../loadtest/jmx/generate';
import { TOKEN_LABEL } from '../../loadtest/labels';
import type { Report } from '../../loadtest/report';
import { runLoadTest } from '../../commands/loadtest';
import { RUNNER_CONTAINER_NAME, runnerNames } from '../../lib/runners/naming';
import { exampleInput, loadFrom } from '../helpers/env';
import { runDefinition, TaskError, type Json } from '../runners/asl';
import { buildRunners, definitionOf, fakeArchive, fakeQueue, list, policiesByRole, roleRef, type Statement } from '../runners/helpers';

const ENTRYPOINT = path.resolve(__dirname, '..', '..', 'loadtest', 'entrypoint.sh');
const SCENARIO = 'screen-recording';
const TEST_ID = 'example_it-flow';
const RUN = 'arn:aws:states:::ecs:runTask.sync';

// The fixture JTL's three requests hold a 429 (a third of them): the scenarios' shard checks allow it,
// so a shard exits 0 on it (the checks themselves: __tests__/loadtest/entrypoint.test.ts).
const env = (() => {
  const input = exampleInput() as any;
  for (const s of input.loadProfile.scenarios) s.shardChecks = { maxErrorShare: 0.5, max429Share: 0.5 };
  return loadFrom({ example: input }, 'example');
})();
const queue = fakeQueue();
const built = buildRunners(env, { queue });
const definition = definitionOf(built.json);
const generated = generateTestPlan(env, built.budget, SCENARIO);
const policies = policiesByRole(built.json);
const names = runnerNames(env.name, env.resourcePrefix);

/** Every field the report step declares; the compiler keeps this list complete. */
const REPORT_STEP_FIELDS: Record<keyof ReportStepInput, true> = {
  testId: true,
  resultsBucket: true,
  resultsPrefix: true,
  analyticsBucket: true,
  metadataPrefix: true,
  analyticsPrefix: true,
  shards: true,
  partial: true,
  error: true,
  tasks: true,
};

/** Plan-wide tunables: the same for every shard, so the plan's defaults stand and the entrypoint need not pass them. */
const PLAN_WIDE = [
  'TOKEN_REFRESH_SEC',
  'TOKEN_RETRY_WINDOW_SEC',
  'RETRY_AFTER_DEFAULT_SEC',
  'RETRY_AFTER_MAX_SEC',
  'GATE_WARMUP_SEC',
  'CONNECT_TIMEOUT_MS',
  'RESPONSE_TIMEOUT_MS',
];
/** Read from the private properties file (-q), never from the command line. */
const SECRET_PROPS = ['CLIENT_ID', 'CLIENT_SECRET'];

// `aws s3 cp` against a folder (logged as GET/PUT bucket/key), `aws secretsmanager get-secret-value` from a file.
const FAKE_AWS = `#!/usr/bin/env bash
set -euo pipefail
if [[ "$1" == s3 && "$2" == cp ]]; then
  shift 2; [[ "$1" == --only-show-errors ]] && shift
  src="$1"; dst="$2"
  if [[ "$src" == s3://* ]]; then
    echo "GET \${src#s3://}" >> "$FAKE_ROOT/ops.log"
    [[ -f "$FAKE_S3/\${src#s3://}" ]] || { echo "NoSuchKey $src" >&2; exit 1; }
    cp "$FAKE_S3/\${src#s3://}" "$dst"
  else
    echo "PUT \${dst#s3://}" >> "$FAKE_ROOT/ops.log"
    mkdir -p "$(dirname "$FAKE_S3/\${dst#s3://}")"; cp "$src" "$FAKE_S3/\${dst#s3://}"
  fi
elif [[ "$1 $2" == "secretsmanager get-secret-value" && "$3" == --secret-id ]]; then
  echo "SECRET $4" >> "$FAKE_ROOT/ops.log"
  cat "$FAKE_ROOT/secret.json"
else
  echo "unexpected aws call: $*" >&2; exit 9
fi
`;

// Records what it was given and writes the JTL the test prepared; exits with FAKE_JMETER_EXIT.
const FAKE_JMETER = `#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$@" > "$FAKE_ROOT/jmeter.args"
date -u +%s%3N > "$FAKE_ROOT/jmeter.started"
jtl=""; plan=""; q=""
while (($#)); do case "$1" in -l) jtl="$2"; shift 2;; -t) plan="$2"; shift 2;; -q) q="$2"; shift 2;; *) shift;; esac; done
cp "$plan" "$FAKE_ROOT/plan.seen"; cp "$q" "$FAKE_ROOT/secret.seen"
cp "$FAKE_ROOT/results.jtl" "$jtl"
echo "jmeter log" > "\${jtl%.jtl}.log"
exit "\${FAKE_JMETER_EXIT:-0}"
`;

interface Shard {
  readonly index: number;
  readonly root: string;
  readonly env: Record<string, string>;
  readonly taskRoleArn: string;
  readonly code: number | null;
  readonly stderr: string;
}

interface Flow {
  readonly s3Root: string;
  readonly startInput: Json;
  readonly shards: Shard[];
  readonly reports: { payload: Json; output: ReportStepOutput; s3: MemoryS3 }[];
  readonly messages: Json[];
  readonly run: Awaited<ReturnType<typeof runDefinition>>;
}

/** The report step's Lambda environment, as synthesized. */
function reportStepEnvironment(): Record<string, string> {
  const fns = Object.values((built.json as any).resource.aws_lambda_function) as {
    function_name: string;
    environment?: { variables: Record<string, string> };
  }[];
  return fns.find((f) => f.function_name === names.reportFunction)!.environment!.variables;
}

/** S3 in memory, loaded from the folder the shards uploaded into; records every call. */
class MemoryS3 implements S3Like {
  readonly objects = new Map<string, string>();
  readonly calls: { action: string; resource: string; prefix?: string }[] = [];

  constructor(root: string) {
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else this.objects.set(path.relative(root, p).split(path.sep).join('/'), readFileSync(p, 'utf8'));
      }
    };
    walk(root);
  }

  async send(command: ListObjectsV2Command | GetObjectCommand | PutObjectCommand): Promise<unknown> {
    const i = command.input as { Bucket: string; Key?: string; Prefix?: string; Body?: unknown };
    if (command instanceof ListObjectsV2Command) {
      this.calls.push({ action: 's3:ListBucket', resource: `arn:aws:s3:::${i.Bucket}`, prefix: i.Prefix ?? '' });
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(`${i.Bucket}/${i.Prefix ?? ''}`)).sort();
      return { Contents: keys.map((k) => ({ Key: k.slice(i.Bucket.length + 1) })), IsTruncated: false };
    }
    const resource = `arn:aws:s3:::${i.Bucket}/${i.Key}`;
    if (command instanceof GetObjectCommand) {
      this.calls.push({ action: 's3:GetObject', resource });
      const body = this.objects.get(`${i.Bucket}/${i.Key}`);
      if (body === undefined) throw new Error(`NoSuchKey ${i.Key}`);
      return { Body: Readable.from([Buffer.from(body)]) };
    }
    this.calls.push({ action: 's3:PutObject', resource });
    this.objects.set(`${i.Bucket}/${i.Key}`, String(i.Body));
    return {};
  }
}

const glob = (pattern: string, flags = ''): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    flags,
  );

/** Whether an identity policy allows a call (Allow statements only; a condition on a key not in `context` does not hold). */
function allows(statements: readonly Statement[], action: string, resource: string, context: Record<string, string> = {}): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((a) => glob(a, 'i').test(action)) &&
      list(s.Resource).some((r) => glob(r).test(resource)) &&
      Object.entries(s.Condition ?? {}).every(([op, byKey]) =>
        Object.entries(byKey).every(([key, want]) => {
          const have = context[key];
          const wants = list(want as string | string[]);
          if (have === undefined) return false;
          if (op === 'StringLike') return wants.some((w) => glob(w).test(have));
          if (op === 'StringEquals') return wants.includes(have);
          throw new Error(`condition operator ${op} not modelled`);
        }),
      ),
  );
}

const roleStatements = (roleArnToken: string): Statement[] => {
  const statements = policies.get(roleArnToken.replace(/\.arn\}$/, '.id}'));
  if (!statements) throw new Error(`no policy for role ${roleArnToken}`);
  return statements;
};

/** The task definition's container environment (GENESYS_API_BASE, …), which the overrides add to. */
function taskDefinitionEnvironment(): Record<string, string> {
  const [task] = Object.values(built.json.resource!.aws_ecs_task_definition) as { container_definitions: string }[];
  const [container] = JSON.parse(task.container_definitions) as { name: string; environment: { name: string; value: string }[] }[];
  expect(container.name).toBe(RUNNER_CONTAINER_NAME);
  return Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
}

function runEntrypoint(shardEnv: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [ENTRYPOINT], { env: shardEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A JTL as the image writes it (loadlab.properties: CSV, header, sample variables quoted last). */
function jtlFor(label: string, shard: number, startMs: number, failing: boolean, tokens: number): string {
  const header =
    'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect,"loadlab_retry_after","loadlab_token_index"';
  const rows = [
    // The shard's planned tokens, as the setUp thread fetches them.
    ...Array.from(
      { length: tokens },
      () => `${startMs},80,${TOKEN_LABEL},200,OK,setUp 1-1,text,true,,512,128,1,1,https://login.mypurecloud.com/oauth/token,80,0,20,,`,
    ),
    `${startMs + 1000},120,${label},200,OK,users ${shard}-1,text,true,,900,200,2,2,https://api.mypurecloud.com/x,110,0,15,,0`,
    `${startMs + 2000},95,${label},429,Too Many Requests,users ${shard}-2,text,false,"429, waited Retry-After",100,200,2,2,https://api.mypurecloud.com/x,90,0,12,3,1`,
    `${startMs + 3000},${failing ? 5000 : 130},${label},${failing ? 503 : 200},x,users ${shard}-1,text,${!failing},,900,200,2,2,https://api.mypurecloud.com/x,120,0,14,,0`,
  ];
  return `${header}\n${rows.join('\n')}\n`;
}

interface FlowOptions {
  readonly scenario?: string;
  /** That shard's JMeter exits 1 (after writing results). */
  readonly failShard?: number;
  /** An ids CSV for `--params`. */
  readonly paramsCsv?: string;
  /** Changes the input the command started the execution with (as a hand-made console start would). */
  readonly editInput?: (input: Json) => Json;
  /** Removes the uploaded plan before the execution starts (a console start without an upload). */
  readonly withoutPlan?: boolean;
}

/** Runs the whole flow for one scenario. */
async function runFlow(options: FlowOptions = {}): Promise<Flow> {
  const { scenario = SCENARIO, failShard } = options;
  const label = generateTestPlan(env, built.budget, scenario).summary.endpoints[0].label;
  const work = mkdtempSync(path.join(tmpdir(), 'loadlab-flow-'));
  const s3Root = path.join(work, 's3');
  const bin = path.join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(s3Root, { recursive: true });
  for (const [name, text] of [
    ['aws', FAKE_AWS],
    ['jmeter', FAKE_JMETER],
  ] as const) {
    writeFileSync(path.join(bin, name), text);
    chmodSync(path.join(bin, name), 0o755);
  }

  // 1. npm run loadtest: the plan goes to S3 (the folder), the input to StartExecution.
  let startInput: Json;
  const argv = ['--env', 'example', '--scenario', scenario, '--test-id', TEST_ID];
  if (options.paramsCsv !== undefined) {
    writeFileSync(path.join(work, 'ids.csv'), options.paramsCsv);
    argv.push('--params', path.join(work, 'ids.csv'));
  }
  const code = await runLoadTest(argv, {
    loadEnv: () => env,
    now: () => new Date(),
    log: () => undefined,
    s3: () => ({
      send: async (c: unknown) => {
        const i = (c as PutObjectCommand).input;
        mkdirSync(path.dirname(path.join(s3Root, i.Bucket!, i.Key!)), { recursive: true });
        writeFileSync(path.join(s3Root, i.Bucket!, i.Key!), String(i.Body));
        return {};
      },
    }),
    sfn: () => ({
      send: async (c: unknown) => {
        startInput = JSON.parse((c as StartExecutionCommand).input.input!);
        return {};
      },
    }),
  });
  expect(code).toBe(0);
  if (options.withoutPlan) rmSync(path.join(s3Root, bucket, 'results', TEST_ID, 'plan', `${scenario}.jmx`));

  // 2. The state machine; the execution "started" 118.5 s ago, so START_AT (start + 120 s) is 1.5 s away.
  const startTime = new Date(Date.now() - 118_500).toISOString();
  const taskEnv = taskDefinitionEnvironment();
  const shards: Shard[] = [];
  const reports: Flow['reports'] = [];
  const messages: Json[] = [];
  const input = options.editInput ? options.editInput(startInput!) : startInput!;
  const run = await runDefinition(
    definition,
    input,
    async (resource, args) => {
      switch (resource) {
        case RUN: {
          const [override] = args.Overrides.ContainerOverrides;
          expect(override.Name).toBe(RUNNER_CONTAINER_NAME);
          const overrides = Object.fromEntries(override.Environment.map((e: { Name: string; Value: string }) => [e.Name, e.Value]));
          const index = Number(overrides.SHARD_INDEX);
          const root = path.join(work, `shard-${index}`);
          mkdirSync(root);
          writeFileSync(path.join(root, 'secret.json'), JSON.stringify({ clientId: `cid-${index}`, clientSecret: `s3cr=t:${index}` }));
          writeFileSync(
            path.join(root, 'results.jtl'),
            jtlFor(label, index, Date.parse(overrides.START_AT), index === failShard, Number(overrides.TOKENS_PER_SHARD)),
          );
          const shardEnv = {
            ...taskEnv,
            ...overrides,
            PATH: `${bin}:${process.env.PATH}`,
            WORK_DIR: path.join(root, 'work'),
            FAKE_ROOT: root,
            FAKE_S3: s3Root,
            ...(index === failShard ? { FAKE_JMETER_EXIT: '1' } : {}),
          };
          const r = await runEntrypoint(shardEnv);
          shards.push({ index, root, env: shardEnv, taskRoleArn: args.Overrides.TaskRoleArn, ...r });
          if (r.code !== 0)
            throw new TaskError('States.TaskFailed', JSON.stringify({ StopCode: 'EssentialContainerExited', ExitCode: r.code }));
          // Times as Step Functions passes ECS's: epoch milliseconds.
          return {
            TaskArn: `arn:aws:ecs:us-east-1:111122223333:task/${names.cluster}/${index}`,
            StopCode: 'EssentialContainerExited',
            PullStartedAt: Date.parse(startTime) + 5_000,
            StartedAt: Date.parse(startTime) + 35_000,
            StoppedAt: Date.parse(startTime) + 635_000,
          };
        }
        case 'arn:aws:states:::lambda:invoke': {
          const s3 = new MemoryS3(s3Root);
          // The report step runs with the environment its construct set (COST_PROFILE).
          const saved = { ...process.env };
          Object.assign(process.env, reportStepEnvironment());
          const output = await runReportStep(args.Payload as ReportStepInput, s3).finally(() => {
            process.env = saved;
          });
          reports.push({ payload: args.Payload, output, s3 });
          return { StatusCode: 200, Payload: output };
        }
        case 'arn:aws:states:::sqs:sendMessage':
          messages.push(args);
          return { MessageId: 'm-1' };
        case 'arn:aws:states:::aws-sdk:ecs:listTasks':
          return { TaskArns: [] };
        default:
          throw new Error(`unexpected resource ${resource}`);
      }
    },
    startTime,
    () => Date.now(),
  );
  return { s3Root, startInput: input, shards, reports, messages, run };
}

const opsOf = (shard: Shard): string[] => readFileSync(path.join(shard.root, 'ops.log'), 'utf8').trim().split('\n');
const bucket = fakeArchive.results.name;
const sp = built.budget.scenarios.find((s) => s.name === SCENARIO)!;
const table = definition.States.Setup.Assign.scenarios[SCENARIO];

describe('a load test from npm run loadtest to the report and the analytics request', () => {
  let flow: Flow;
  beforeAll(async () => {
    flow = await runFlow();
  });

  it('the command uploads the plan where the state machine points the shards, and starts the planned shards', () => {
    expect(flow.startInput).toEqual({ testId: TEST_ID, scenario: SCENARIO, shards: sp.sizing.shards, durationSec: sp.durationSec });
    expect(flow.run.status).toBe('SUCCEEDED');
    expect(flow.shards.map((s) => s.index)).toEqual(table.shards.map((s: Json) => s.index));
    expect(sp.sizing.shards).toBeGreaterThan(1);
    for (const shard of flow.shards) {
      expect(shard.env.PLAN_S3_URI).toBe(`s3://${bucket}/results/${TEST_ID}/plan/${SCENARIO}.jmx`);
      // The shard ran exactly the plan the command generated.
      expect(readFileSync(path.join(shard.root, 'plan.seen'), 'utf8')).toBe(generated.xml);
      expect(shard.env.PARAMS_S3_URI).toBe('');
    }
  });

  it('shard 0 gets every variable the entrypoint requires, and the entrypoint uses every variable it is given', () => {
    const shard = flow.shards[0];
    const script = readFileSync(ENTRYPOINT, 'utf8');
    const required = /for var in ([A-Z0-9_ ]+); do\n\s+\[\[ -n "\$\{!var:-\}" \]\] \|\| missing/.exec(script)![1].trim().split(/\s+/);
    expect(required).toEqual(expect.arrayContaining(['SHARD_INDEX', 'CLIENT_SECRET_ARN', 'PLAN_S3_URI', 'RESULTS_S3_URI']));
    for (const name of required) expect(shard.env[name]).toBeTruthy();
    const fromStack = Object.keys(taskDefinitionEnvironment());
    const overrides = definition.States.RunShards.ItemProcessor.States.RunShard.Arguments.Overrides.ContainerOverrides[0].Environment.map(
      (e: Json) => e.Name,
    );
    // Used in code, not only named in the header comment.
    const code = script
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    for (const name of [...fromStack, ...overrides]) {
      expect({ name, read: new RegExp(`\\b${name}\\b`).test(code) }).toEqual({ name, read: true });
    }
    expect(shard.code).toBe(0);
    expect(shard.stderr).toContain(`test ${TEST_ID} (${SCENARIO}): shard 0 of ${sp.sizing.shards}`);
  });

  it("passes JMeter every property the plan reads, with the shard's budgeted values", () => {
    const readByPlan = new Set([...generated.xml.matchAll(/__P\(([A-Z_]+),/g)].map((m) => m[1]));
    const readByScripts = new Set([...generated.xml.matchAll(/props\.getProperty\(&apos;([A-Z_]+)&apos;/g)].map((m) => m[1]));
    // The summary lists exactly what the plan reads.
    expect(Object.keys(generated.summary.properties).sort()).toEqual([...new Set([...readByPlan, ...readByScripts])].sort());
    for (const shard of flow.shards) {
      const entry = table.shards[shard.index];
      const args = readFileSync(path.join(shard.root, 'jmeter.args'), 'utf8').trim().split('\n');
      const props = Object.fromEntries(
        args.filter((a) => a.startsWith('-J')).map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
      );
      const secret = readFileSync(path.join(shard.root, 'secret.seen'), 'utf8');
      expect(secret).toBe(`CLIENT_ID=cid-${shard.index}\nCLIENT_SECRET=s3cr\\=t\\:${shard.index}\n`);
      for (const name of Object.keys(generated.summary.properties)) {
        const source =
          name in props
            ? 'command line'
            : SECRET_PROPS.includes(name)
              ? 'secret file'
              : PLAN_WIDE.includes(name)
                ? 'plan default'
                : 'nowhere';
        expect({ name, source }).not.toEqual({ name, source: 'nowhere' });
      }
      // Every -J the entrypoint sets is read by the plan (SHARD_INDEX is for plans users bring), or by
      // JMeter itself: the one port its stoptest.sh listener takes (the entrypoint stops it through it).
      const own = ['jmeterengine.nongui.port', 'jmeterengine.nongui.maxport'];
      expect(Object.keys(props).filter((p) => !(p in generated.summary.properties) && !own.includes(p))).toEqual(['SHARD_INDEX']);
      expect(props).toEqual({
        'jmeterengine.nongui.port': '4445',
        'jmeterengine.nongui.maxport': '4445',
        API_PROTOCOL: 'https',
        API_HOST: 'api.mypurecloud.com',
        API_PORT: '',
        LOGIN_PROTOCOL: 'https',
        LOGIN_HOST: 'login.mypurecloud.com',
        LOGIN_PORT: '',
        SHARD_INDEX: String(shard.index),
        THREADS: String(entry.threads),
        TARGET_RPM: String(entry.targetRpm),
        TOKENS_PER_SHARD: String(sp.sizing.tokensPerShard),
        DURATION_SEC: String(sp.durationSec),
        RAMP_UP_SEC: String(sp.rampUpSec),
      });
      for (const host of ['API', 'LOGIN'] as const) {
        for (const part of ['PROTOCOL', 'HOST', 'PORT']) {
          expect(props[`${host}_${part}`]).toBe(generated.summary.properties[`${host}_${part}`]);
        }
      }
      // The secret never reaches the command line.
      expect(args.join(' ')).not.toContain('s3cr');
    }
    const rpm = flow.shards.reduce((sum, s) => sum + Number(table.shards[s.index].targetRpm), 0);
    expect(rpm).toBeCloseTo(sp.requestsPerMinute, 1);
  });

  it('all shards wait for the one START_AT', () => {
    const startAt = Date.parse(flow.shards[0].env.START_AT);
    for (const shard of flow.shards) {
      expect(shard.env.START_AT).toBe(flow.shards[0].env.START_AT);
      expect(Number(readFileSync(path.join(shard.root, 'jmeter.started'), 'utf8'))).toBeGreaterThanOrEqual(startAt);
    }
  });

  it('each shard reads only its own secret and the plan, and writes only its own folder: all allowed by its task role', () => {
    for (const shard of flow.shards) {
      const entry = table.shards[shard.index];
      expect(shard.taskRoleArn).toBe(entry.taskRoleArn);
      const statements = roleStatements(shard.taskRoleArn);
      expect(opsOf(shard)).toEqual([
        `GET ${bucket}/results/${TEST_ID}/plan/${SCENARIO}.jmx`,
        `SECRET ${entry.secretArn}`,
        `PUT ${bucket}/results/${TEST_ID}/shards/${shard.index}/shard-${shard.index}.jtl`,
        `PUT ${bucket}/results/${TEST_ID}/shards/${shard.index}/shard-${shard.index}.log`,
      ]);
      for (const op of opsOf(shard)) {
        const [verb, target] = op.split(' ');
        const [action, resource] =
          verb === 'SECRET'
            ? ['secretsmanager:GetSecretValue', target]
            : [verb === 'GET' ? 's3:GetObject' : 's3:PutObject', `arn:aws:s3:::${target}`];
        expect({ op, allowed: allows(statements, action, resource) }).toEqual({ op, allowed: true });
      }
      // …and not another shard's folder or secret.
      const other = table.shards.find((s: Json) => s.index !== shard.index);
      expect(allows(statements, 's3:PutObject', `arn:aws:s3:::${bucket}/results/${TEST_ID}/shards/${other.index}/x.jtl`)).toBe(false);
      expect(allows(statements, 'secretsmanager:GetSecretValue', other.secretArn)).toBe(false);
    }
  });

  it('the report step gets what it declares, reads where the shards uploaded, and its calls are allowed by its role', () => {
    expect(flow.reports).toHaveLength(1);
    const [{ payload, output, s3 }] = flow.reports;
    expect(Object.keys(payload).filter((k) => !(k in REPORT_STEP_FIELDS))).toEqual([]);
    expect(payload).toMatchObject({ testId: TEST_ID, resultsBucket: bucket, shards: sp.sizing.shards, partial: false });
    for (const shard of flow.shards) expect(shard.env.RESULTS_S3_URI.startsWith(`s3://${bucket}/${payload.resultsPrefix}`)).toBe(true);
    const reportRole = policies.get(roleRef(built.json, names.reportFunction))!;
    for (const call of s3.calls) {
      const context: Record<string, string> = call.prefix !== undefined ? { 's3:prefix': call.prefix } : {};
      expect({ call, allowed: allows(reportRole, call.action, call.resource, context) }).toEqual({ call, allowed: true });
    }
    expect(output).toMatchObject({
      testId: TEST_ID,
      bucket,
      reportJsonKey: `results/${TEST_ID}/report.json`,
      reportHtmlKey: `results/${TEST_ID}/report.html`,
      shards: sp.sizing.shards,
      warnings: [],
    });
    // The execution's output is the report step's (what --watch and the console show).
    expect(flow.run.output).toEqual(output);
    // RunShards' record of each task reaches the report step, which bills the tasks' own times.
    expect(payload.tasks).toHaveLength(sp.sizing.shards);
    expect(payload.tasks[0]).toEqual(
      expect.objectContaining({ shard: expect.any(Number), pullStartedAt: expect.any(Number), stoppedAt: expect.any(Number) }),
    );
    const json = JSON.parse(s3.objects.get(`${bucket}/results/${TEST_ID}/report.json`)!) as Report;
    expect(json.cost!.actual!.basis).toMatch(/state machine's record/);
    expect(json.cost!.actual!.taskSeconds).toEqual(Array(sp.sizing.shards).fill(630));
  });

  it('the report covers every shard: its samples, its 429s and its Retry-After waits, token requests apart', () => {
    const [{ s3 }] = flow.reports;
    const report = JSON.parse(s3.objects.get(`${bucket}/results/${TEST_ID}/report.json`)!) as Report;
    expect(report.testId).toBe(TEST_ID);
    expect(report.shards.map((s) => s.name)).toEqual(flow.shards.map((s) => `shard-${s.index}`));
    const shard0 = report.shards[0];
    expect(shard0).toMatchObject({ name: 'shard-0', requests: 3, errors: 1, throttled: 1, skippedRecords: 0 });
    expect(shard0.start).toBe(new Date(Date.parse(flow.shards[0].env.START_AT) + 1000).toISOString());
    expect(report.totals).toMatchObject({
      requests: 3 * flow.shards.length,
      throttled: flow.shards.length,
      retryAfter: { waits: flow.shards.length, totalSec: 3 * flow.shards.length, maxSec: 3 },
    });
    expect(report.endpoints.map((e) => e.label)).toContain(generated.summary.endpoints[0].label);
    expect(s3.objects.get(`${bucket}/results/${TEST_ID}/report.html`)).toContain('shard-0');
    // Links: the metadata the pipeline archives, and this test's analytics output where the report-jobs worker writes it.
    expect(report.links.metadata!.uri).toBe(`s3://${bucket}/metadata/`);
    const analytics = report.links.analytics!.uri;
    expect(`s3://${fakeArchive.analytics.name}/${reportKeys.manifest(TEST_ID)}`.startsWith(analytics)).toBe(true);
    expect(`s3://${fakeArchive.analytics.name}/${reportKeys.manifest('example_other-test')}`.startsWith(analytics)).toBe(false);
  });

  it('the report-jobs worker accepts the analytics request the state machine sends: this test, from START_AT to after the load', () => {
    expect(flow.messages).toHaveLength(1);
    const [message] = flow.messages;
    expect(message.QueueUrl).toBe(queue.queueUrl);
    const parsed = parseReportMessage(message.MessageBody);
    expect(parsed.kind).toBe('window');
    if (parsed.kind !== 'window') return;
    expect(parsed.window.testId).toBe(TEST_ID);
    expect(parsed.start).toBe(Date.parse(flow.shards[0].env.START_AT));
    const lastStart = Math.max(...flow.shards.map((s) => Number(readFileSync(path.join(s.root, 'jmeter.started'), 'utf8'))));
    expect(parsed.end).toBeGreaterThanOrEqual(lastStart);
  });
});

describe('a load test started without its plan uploaded', () => {
  it('the shard stops, naming the missing plan and how to upload it; the test fails', async () => {
    const flow = await runFlow({ withoutPlan: true });
    expect(flow.run.error).toBe('LoadTestFailed');
    const [shard] = flow.shards;
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain(
      `could not fetch the plan s3://${bucket}/results/${TEST_ID}/plan/${SCENARIO}.jmx: npm run loadtest uploads it`,
    );
    expect(existsSync(path.join(shard.root, 'jmeter.args'))).toBe(false);
  });
});

describe('a load test whose shard fails', () => {
  it('still uploads what that shard wrote, stops, and writes a partial report that says why; no analytics request', async () => {
    const flow = await runFlow({ failShard: 1 });
    expect(flow.run.status).toBe('FAILED');
    expect(flow.run.error).toBe('LoadTestFailed');
    expect(flow.shards.map((s) => [s.index, s.code])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(statSync(path.join(flow.s3Root, bucket, 'results', TEST_ID, 'shards', '1', 'shard-1.jtl')).size).toBeGreaterThan(0);
    expect(flow.messages).toEqual([]);
    expect(flow.reports).toHaveLength(1);
    const [{ payload, output, s3 }] = flow.reports;
    expect(Object.keys(payload).filter((k) => !(k in REPORT_STEP_FIELDS))).toEqual([]);
    expect(payload).toMatchObject({ partial: true, error: { Error: 'States.TaskFailed' } });
    expect(output.warnings[0]).toMatch(/^partial report: the test failed or was stopped before the end: .*EssentialContainerExited/);
    const report = JSON.parse(s3.objects.get(`${bucket}/results/${TEST_ID}/report.json`)!) as Report;
    expect(report.shards.map((s) => [s.name, s.errors])).toEqual([
      ['shard-0', 1],
      ['shard-1', 2],
    ]);
    expect(report.warnings[0]).toMatch(/^partial report/);
  });
});

describe('a scenario that reads ids (messaging)', () => {
  const messaging = generateTestPlan(env, built.budget, 'messaging');
  const csv = `${messaging.summary.csvColumns.join(',')}\nconv-1,comm-1\n`;
  const entry = definition.States.Setup.Assign.scenarios.messaging.shards[0];

  it('the ids CSV the command uploads is what the shard fetches, its role may read it, and JMeter gets it as PARAMS_CSV', async () => {
    expect(messaging.summary.csvColumns.length).toBeGreaterThan(0);
    const flow = await runFlow({ scenario: 'messaging', paramsCsv: csv });
    expect(flow.startInput).toMatchObject({ scenario: 'messaging', params: true });
    expect(flow.run.status).toBe('SUCCEEDED');
    const [shard] = flow.shards;
    const paramsKey = `${bucket}/results/${TEST_ID}/plan/messaging.params`;
    expect(shard.env.PARAMS_S3_URI).toBe(`s3://${paramsKey}`);
    expect(readFileSync(path.join(flow.s3Root, paramsKey), 'utf8')).toBe(csv);
    expect(opsOf(shard)).toContain(`GET ${paramsKey}`);
    expect(allows(roleStatements(entry.taskRoleArn), 's3:GetObject', `arn:aws:s3:::${paramsKey}`)).toBe(true);
    const args = readFileSync(path.join(shard.root, 'jmeter.args'), 'utf8').trim().split('\n');
    const paramsCsv = path.join(shard.env.WORK_DIR, 'params.csv');
    expect(args).toContain(`-JPARAMS_CSV=${paramsCsv}`);
    expect('PARAMS_CSV' in messaging.summary.properties).toBe(true);
    expect(readFileSync(paramsCsv, 'utf8')).toBe(csv);
    // The ids file is not mistaken for a shard's results.
    expect(flow.reports[0].output).toMatchObject({ shards: 1, warnings: [] });
  });

  it('started without "params": the shard refuses to run the plan, naming the fix, and the test fails with a partial report', async () => {
    const flow = await runFlow({
      scenario: 'messaging',
      paramsCsv: csv,
      editInput: ({ params: _params, ...rest }) => rest,
    });
    const [shard] = flow.shards;
    expect(shard.env.PARAMS_S3_URI).toBe('');
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('the plan reads ids from a CSV (property PARAMS_CSV) but PARAMS_S3_URI is empty');
    expect(existsSync(path.join(shard.root, 'jmeter.args'))).toBe(false);
    expect(flow.run.error).toBe('LoadTestFailed');
    expect(flow.reports[0].payload.partial).toBe(true);
    expect(flow.reports[0].output.warnings).toContain(
      `no result files under s3://${bucket}/results/${TEST_ID}/: no shard uploaded results`,
    );
  });
});
