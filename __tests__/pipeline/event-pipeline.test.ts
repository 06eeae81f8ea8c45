import { Testing } from 'cdktf';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { EventPipeline, REPORT_WORKER_TIMEOUT_SEC } from '../../lib/pipeline/event-pipeline';
import { ConfigError, type Environment } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits';
import { asyncViolations } from '../../lib/guards';
import { ServiceRole } from '../../lib/iam/service-role';
import type { ArchiveRefs } from '../../lib/archive/refs';
import { exampleInput, loadFrom, repoEnvironment, resourcesOf, type SynthesizedStack } from '../helpers/env';
import { pipelineProps } from '../../stacks/runners-stack';

const PARTNER = 'aws.partner/genesys.com/cloud/3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b/loadlab-example';

const genesys = {
  partnerEventSourceName: PARTNER,
  metadataWorkerClient: {
    purpose: 'metadata-worker',
    secretName: 'loadlab/example/metadata-worker',
    secretsKeyAlias: 'alias/loadlab-example-secrets',
  },
  reportWorkerClient: {
    purpose: 'report-worker',
    secretName: 'loadlab/example/report-worker',
    secretsKeyAlias: 'alias/loadlab-example-secrets',
  },
};

const archive: ArchiveRefs = {
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/archive',
  recordings: { name: 'loadlab-example-recordings-111122223333', arn: 'arn:aws:s3:::loadlab-example-recordings-111122223333' },
  results: { name: 'loadlab-example-results-111122223333', arn: 'arn:aws:s3:::loadlab-example-results-111122223333' },
  analytics: { name: 'loadlab-example-reports-111122223333', arn: 'arn:aws:s3:::loadlab-example-reports-111122223333' },
  exportRoleArn: 'arn:aws:iam::111122223333:role/loadlab-example-genesys-recording-export',
};

function synth(env: Environment = repoEnvironment('example')): { text: string; json: SynthesizedStack; pipeline: EventPipeline } {
  let pipeline!: EventPipeline;
  const text = Testing.synthScope((scope) => {
    pipeline = new EventPipeline(scope, 'pipeline', { ...pipelineProps(env, planBudget(env.config)), genesys, archive });
  });
  return { text, json: JSON.parse(text) as SynthesizedStack, pipeline };
}

type Body = Record<string, unknown>;
const byType = (json: SynthesizedStack, type: string): [string, Body][] =>
  resourcesOf(json)
    .filter(([t]) => t === type)
    .map(([, name, body]) => [name, body]);
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (policy: unknown): Statement[] => (JSON.parse(String(policy)) as { Statement: Statement[] }).Statement;
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

describe('EventPipeline (synthesized JSON)', () => {
  const env = repoEnvironment('example');
  const plan = planBudget(env.config);
  const { text, json } = synth(env);
  const queues = byType(json, 'aws_sqs_queue');
  const queueNamed = (name: string) => queues.find(([, b]) => b.name === name)!;
  const functions = byType(json, 'aws_lambda_function');
  const fnNamed = (name: string) => functions.find(([, b]) => b.function_name === name)!;

  it('associates a bus with the partner event source (name = event_source_name = the source)', () => {
    expect(text).toHaveResourceWithProperties(CloudwatchEventBus, { name: PARTNER, event_source_name: PARTNER });
  });

  it('routes conversation-end topics to the metadata queue and the availability topic to the report-jobs queue', () => {
    const rules = byType(json, 'aws_cloudwatch_event_rule');
    expect(rules).toHaveLength(2);
    const patterns = Object.fromEntries(rules.map(([, b]) => [b.name, JSON.parse(String(b.event_pattern))]));
    expect(patterns['loadlab-example-conversation-end']).toEqual({
      source: [PARTNER],
      'detail-type': [
        'v2.detail.events.conversation.{id}.customer.end',
        'v2.detail.events.conversation.{id}.acw',
        'v2.detail.events.conversation.{id}.user.end',
      ],
    });
    expect(patterns['loadlab-example-analytics-availability']).toEqual({
      source: [PARTNER],
      'detail-type': ['v2.analytics.conversations.details.jobs.availability'],
    });
    for (const [, rule] of rules) expect(rule.schedule_expression).toBeUndefined();
    const targets = byType(json, 'aws_cloudwatch_event_target');
    const [metaQueue] = queueNamed('loadlab-example-metadata-worker');
    const [metaDlq] = queueNamed('loadlab-example-metadata-worker-dlq');
    const metaTarget = targets.find(([, t]) => t.arn === ref('aws_sqs_queue', metaQueue, 'arn'));
    expect(metaTarget).toBeDefined();
    expect(metaTarget![1].dead_letter_config).toEqual({ arn: ref('aws_sqs_queue', metaDlq, 'arn') });
  });

  it('encrypts both queues with a rotating pipeline key that EventBridge may use, and keeps a DLQ with maxReceiveCount <= 5', () => {
    expect(queues).toHaveLength(4);
    const [keyName, key] = byType(json, 'aws_kms_key')[0];
    expect(key.enable_key_rotation).toBe(true);
    const keyPolicy = statements(key.policy);
    expect(keyPolicy.find((s) => s.Sid === 'EventBridgeDeliversToQueues')).toEqual({
      Sid: 'EventBridgeDeliversToQueues',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      // Only this pipeline's two rules, not any rule of the account.
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333' },
        ArnEquals: {
          'aws:SourceArn': expect.arrayContaining(
            byType(json, 'aws_cloudwatch_event_rule').map(([name]) => ref('aws_cloudwatch_event_rule', name, 'arn')),
          ),
        },
      },
    });
    expect(byType(json, 'aws_cloudwatch_event_rule')).toHaveLength(2);
    expect(keyPolicy.find((s) => s.Sid === 'EventBridgeDeliversToQueues')!.Condition!.ArnEquals['aws:SourceArn']).toHaveLength(2);
    for (const [, q] of queues) expect(q.kms_master_key_id).toBe(ref('aws_kms_key', keyName, 'arn'));
    for (const [worker, timeout] of [
      ['loadlab-example-metadata-worker', env.config.pipeline.workerTimeoutSec],
      ['loadlab-example-report-jobs', REPORT_WORKER_TIMEOUT_SEC],
    ] as const) {
      const [, q] = queueNamed(worker);
      const [dlqName] = queueNamed(`${worker}-dlq`);
      const redrive = JSON.parse(String(q.redrive_policy));
      expect(redrive.deadLetterTargetArn).toBe(ref('aws_sqs_queue', dlqName, 'arn'));
      expect(redrive.maxReceiveCount).toBeLessThanOrEqual(5);
      expect(q.visibility_timeout_seconds as number).toBeGreaterThanOrEqual(6 * timeout);
      expect(fnNamed(worker)[1].timeout).toBe(timeout);
    }
  });

  it('admits only its own rule to each queue (and enforces TLS)', () => {
    const rules = Object.fromEntries(byType(json, 'aws_cloudwatch_event_rule').map(([n, b]) => [b.name, n]));
    const policies = byType(json, 'aws_sqs_queue_policy');
    expect(policies).toHaveLength(4);
    const expectOnlyRule = (queueName: string, ruleName: string) => {
      const [q] = queueNamed(queueName);
      const [, policy] = policies.find(([, p]) => p.queue_url === ref('aws_sqs_queue', q, 'url'))!;
      const st = statements(policy.policy);
      const allows = st.filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': ref('aws_cloudwatch_event_rule', rules[ruleName], 'arn') } },
        }),
      ]);
      expect(st.find((s) => s.Effect === 'Deny')).toMatchObject({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    };
    expectOnlyRule('loadlab-example-metadata-worker', 'loadlab-example-conversation-end');
    expectOnlyRule('loadlab-example-report-jobs', 'loadlab-example-analytics-availability');
  });

  it('feeds each worker from its queue with ReportBatchItemFailures and maximum concurrency = reserved concurrency from the plan', () => {
    const [metaQueue] = queueNamed('loadlab-example-metadata-worker');
    const [metaFn, meta] = fnNamed('loadlab-example-metadata-worker');
    expect(text).toHaveResourceWithProperties(LambdaEventSourceMapping, {
      event_source_arn: ref('aws_sqs_queue', metaQueue, 'arn'),
      function_name: ref('aws_lambda_function', metaFn, 'arn'),
      batch_size: env.config.pipeline.batchSize,
      function_response_types: ['ReportBatchItemFailures'],
      scaling_config: { maximum_concurrency: plan.metadataWorker.concurrency },
    });
    expect(meta).toMatchObject({
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      reserved_concurrent_executions: plan.metadataWorker.concurrency,
      tags: { 'loadlab-retrieval': 'metadata' },
    });
    expect(fnNamed('loadlab-example-report-jobs')[1]).toMatchObject({
      reserved_concurrent_executions: Math.max(2, plan.reportWorker.concurrency),
      tags: { 'loadlab-retrieval': 'analytics' },
    });
  });

  it('paces each invocation so the whole fleet stays within the planned rate', () => {
    for (const [name, worker] of [
      ['loadlab-example-metadata-worker', plan.metadataWorker],
      ['loadlab-example-report-jobs', plan.reportWorker],
    ] as const) {
      const [, fn] = fnNamed(name);
      const vars = (fn.environment as { variables: Record<string, string> }).variables;
      const rate = Number(vars.RATE_PER_MINUTE);
      expect(rate).toBeGreaterThan(0);
      // Taken from the plan, not recomputed: RATE_PER_MINUTE and the concurrency are the WorkerPlan's.
      expect(rate).toBe(worker.requestsPerMinutePerInvocation);
      expect(fn.reserved_concurrent_executions).toBe(worker.concurrency);
      expect(rate * (fn.reserved_concurrent_executions as number)).toBeLessThanOrEqual(worker.requestsPerMinute + 1e-9);
      expect(rate * (fn.reserved_concurrent_executions as number)).toBeGreaterThan(worker.requestsPerMinute * 0.99);
      expect(vars.GENESYS_API_BASE).toBe('https://api.mypurecloud.com');
      expect(vars.CLIENT_SECRET_ARN).toMatch(/^\$\{data\.aws_secretsmanager_secret\.[^}]+\.arn\}$/);
    }
    // The secret is found by name: neither its value nor a reference to it is in this stack.
    expect(text).not.toMatch(/"clientSecret"|\.client_secret\}|secret_string/);
  });

  it('lets the metadata worker read only its own secret, write only metadata/ and touch only its own queues', () => {
    const [metaFn] = fnNamed('loadlab-example-metadata-worker');
    const roleRef = JSON.stringify(json.resource!.aws_lambda_function[metaFn].role);
    const roleName = /aws_iam_role\.([^.]+)\./.exec(roleRef)![1];
    const [, policy] = byType(json, 'aws_iam_role_policy').find(([, p]) => String(p.role).includes(`aws_iam_role.${roleName}.`))!;
    const st = statements(policy.policy);
    const secrets = Object.entries((json.data as Record<string, Record<string, Body>>).aws_secretsmanager_secret);
    const own = secrets.find(([, s]) => s.name === 'loadlab/example/metadata-worker')!;
    const [metaQueue] = queueNamed('loadlab-example-metadata-worker');
    const [metaDlq] = queueNamed('loadlab-example-metadata-worker-dlq');
    const allowed = (action: string) => st.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource));
    expect(allowed('secretsmanager:GetSecretValue')).toEqual([ref('data.aws_secretsmanager_secret', own[0], 'arn')]);
    expect(allowed('s3:PutObject')).toEqual([`${archive.results.arn}/metadata/*`]);
    expect(allowed('s3:GetObject')).toEqual([]);
    expect(allowed('sqs:ReceiveMessage')).toEqual([ref('aws_sqs_queue', metaQueue, 'arn')]);
    expect(allowed('sqs:SendMessage').sort()).toEqual(
      [ref('aws_sqs_queue', metaDlq, 'arn'), ref('aws_sqs_queue', metaQueue, 'arn')].sort(),
    );
    for (const s of st) {
      expect(list(s.Action).some((a) => a.includes('*'))).toBe(false);
      // X-Ray trace submission is the one grant AWS defines no resource for.
      if (s.Sid !== 'WriteTraces') expect(list(s.Resource)).not.toContain('*');
    }
    expect(st.find((s) => s.Sid === 'WriteTraces')?.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
  });

  it('alarms on DLQ depth, the oldest message and the workers 429 metric', () => {
    const alarms = byType(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => a);
    const names = alarms.map((a) => a.alarm_name).sort();
    expect(names).toEqual(
      [
        'loadlab-example-metadata-worker-429',
        'loadlab-example-metadata-worker-dlq-not-empty',
        'loadlab-example-metadata-worker-oldest-message-age',
        'loadlab-example-report-jobs-429',
        'loadlab-example-report-jobs-dlq-not-empty',
        'loadlab-example-report-jobs-oldest-message-age',
      ].sort(),
    );
    expect(text).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'loadlab-example-metadata-worker-429',
      namespace: 'GenesysLoadlab/Pipeline',
      metric_name: 'Throttled',
      dimensions: { FunctionName: 'loadlab-example-metadata-worker' },
    });
  });

  it('passes the async-retrieval guard: queue-fed workers with DLQs and reserved concurrency, no schedule', () => {
    expect(asyncViolations(json)).toEqual([]);
    expect(byType(json, 'aws_scheduler_schedule')).toEqual([]);
    expect(functions.every(([, f]) => typeof f.reserved_concurrent_executions === 'number')).toBe(true);
    expect(text).toHaveResourceWithProperties(LambdaFunction, { handler: 'index.handler' });
  });

  it('exposes the report-jobs queue and lets the state machine role send to it', () => {
    const env2 = repoEnvironment('example');
    const out = JSON.parse(
      Testing.synthScope((scope) => {
        const p = new EventPipeline(scope, 'pipeline', { ...pipelineProps(env2, planBudget(env2.config)), genesys, archive });
        const role = new ServiceRole(scope, 'sfn', { roleName: 'sfn', service: 'states.amazonaws.com', description: 'state machine' });
        p.grantSendReportJob(role);
      }),
    ) as SynthesizedStack;
    const [reportQueue] = byType(out, 'aws_sqs_queue').find(([, q]) => q.name === 'loadlab-example-report-jobs')!;
    const [, policy] = byType(out, 'aws_iam_role_policy').find(([, p]) => String(p.role).includes('aws_iam_role.sfn_role'))!;
    const st = statements(policy.policy);
    expect(st.find((s) => s.Action === 'sqs:SendMessage')!.Resource).toBe(ref('aws_sqs_queue', reportQueue, 'arn'));
    expect(st.find((s) => list(s.Action).includes('kms:GenerateDataKey'))).toBeDefined();
  });
});

describe('EventPipeline validation', () => {
  it('the planner refuses a batch that cannot finish within the worker timeout at the paced rate, naming the fields', () => {
    const input = exampleInput();
    (input.pipeline as Record<string, unknown>) = {
      ...(input.pipeline as object),
      batchSize: 100,
      callsPerEvent: 10,
      workerTimeoutSec: 30,
    };
    const plan = planBudget(loadFrom({ example: input }, 'example').config);
    expect(plan.ok).toBe(false);
    const finding = plan.findings.find((f) => f.code === 'pipeline-batch-too-slow');
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toMatch(/pipeline\.batchSize 100 .* pipeline\.workerTimeoutSec 30/);
    // The example's batch fits: no such finding.
    expect(planBudget(repoEnvironment('example').config).findings.map((f) => f.code)).not.toContain('pipeline-batch-too-slow');
  });

  it('config validation refuses a topic list without a conversation-end topic', () => {
    const input = exampleInput();
    (input.genesys as { eventBridge: { topics: string[] } }).eventBridge.topics = ['v2.analytics.conversations.details.jobs.availability'];
    expect(() => loadFrom({ example: input }, 'example')).toThrow(ConfigError);
    expect(() => loadFrom({ example: input }, 'example')).toThrow(/genesys\.eventBridge\.topics has no conversation-end topic/);
  });

  it('omits the availability rule when that topic is not configured (the state machine still feeds report jobs)', () => {
    const input = exampleInput();
    (input.genesys as { eventBridge: { topics: string[] } }).eventBridge.topics = ['v2.detail.events.conversation.{id}.customer.end'];
    const { json } = synth(loadFrom({ example: input }, 'example'));
    expect(byType(json, 'aws_cloudwatch_event_rule').map(([, r]) => r.name)).toEqual(['loadlab-example-conversation-end']);
  });
});
