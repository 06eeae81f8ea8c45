import { Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaAlias } from '@cdktf/provider-aws/lib/lambda-alias';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueueRedrivePolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-policy';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { CloudwatchEventConnection } from '@cdktf/provider-aws/lib/cloudwatch-event-connection';
import { CloudwatchEventApiDestination } from '@cdktf/provider-aws/lib/cloudwatch-event-api-destination';
import { addAsyncGuard, asyncViolations, RETRIEVAL_TAG, type RetrievalConcurrency } from '../../lib/guards';
import { checkPolicies, type Violation } from '../../lib/policy';

const ROLE = 'arn:aws:iam::111122223333:role/worker';

interface WorkerOptions {
  kind?: string;
  reserved?: number | null;
  dlq?: 'inline' | 'resource' | 'none';
  feed?: boolean;
  /** The plan's reserved concurrency per kind, handed to the guard. */
  planned?: RetrievalConcurrency;
}

/** A minimal stack with one worker Lambda wired the way the options say. */
function workerStack(o: WorkerOptions = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test-runners');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const fn = new LambdaFunction(stack, 'worker', {
    functionName: 'loadlab-test-metadata-worker',
    role: ROLE,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    filename: 'worker.zip',
    tags: o.kind === undefined ? { [RETRIEVAL_TAG]: 'metadata' } : o.kind === '' ? {} : { [RETRIEVAL_TAG]: o.kind },
    ...(o.reserved === null ? {} : { reservedConcurrentExecutions: o.reserved ?? 5 }),
  });
  const dlq = new SqsQueue(stack, 'dlq', { name: 'loadlab-test-dlq' });
  const dlqMode = o.dlq ?? 'inline';
  const queue = new SqsQueue(stack, 'queue', {
    name: 'loadlab-test-events',
    redrivePolicy: dlqMode === 'inline' ? JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }) : undefined,
  });
  if (dlqMode === 'resource') {
    new SqsQueueRedrivePolicy(stack, 'redrive', {
      queueUrl: queue.url,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
    });
  }
  if (o.feed !== false) {
    new LambdaEventSourceMapping(stack, 'feed', {
      eventSourceArn: queue.arn,
      functionName: fn.arn,
      batchSize: 10,
      scalingConfig: { maximumConcurrency: 5 },
    });
  }
  return { app, stack, fn, queue, guard: addAsyncGuard(stack, o.planned) };
}

/** Policy rule SQS-002 (every queue-fed Lambda has a dead-letter queue) on a stack. */
function deadLetterViolations(stack: TerraformStack): Violation[] {
  const json = stack.toTerraform() as Parameters<typeof checkPolicies>[0]['json'];
  return checkPolicies({ stack: stack.node.id, json, maxTokenValiditySec: 86400, requiredTags: [] }).filter((v) => v.rule === 'SQS-002');
}

describe('async-retrieval guard', () => {
  it('passes a worker fed by a queue with a dead-letter queue and reserved concurrency', () => {
    const { stack, guard } = workerStack();
    expect(guard.validate()).toEqual([]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it('accepts a dead-letter queue set by an aws_sqs_queue_redrive_policy resource (guard and SQS-002)', () => {
    const { stack, guard } = workerStack({ dlq: 'resource' });
    expect(guard.validate()).toEqual([]);
    expect(deadLetterViolations(stack)).toEqual([]);
    expect(deadLetterViolations(workerStack().stack)).toEqual([]);
  });

  it('fails a retrieval Lambda no queue feeds', () => {
    const { stack, guard } = workerStack({ feed: false });
    const problems = guard.validate();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^async: test-runners aws_lambda_function\.worker retrieves metadata but no aws_lambda_event_source_mapping feeds it/,
    );
    expect(() => Testing.synth(stack, true)).toThrow(/retrieves metadata but no aws_lambda_event_source_mapping feeds it/);
  });

  it('fails a retrieval queue without a dead-letter queue at synth, with the predicate policy rule SQS-002 uses', () => {
    const { stack, guard } = workerStack({ dlq: 'none' });
    const problems = guard.validate();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^async: test-runners aws_sqs_queue\.queue feeds retrieval Lambda aws_lambda_function\.worker but has no dead-letter queue; set redrive_policy/,
    );
    expect(() => Testing.synth(stack, true)).toThrow(/has no dead-letter queue/);
    expect(deadLetterViolations(stack)).toEqual([
      expect.objectContaining({
        address: 'aws_sqs_queue.queue',
        problem: 'feeds aws_lambda_event_source_mapping.feed but has no dead-letter queue',
        fix: expect.stringContaining('set redrive_policy'),
      }),
    ]);
  });

  it("fails a worker whose reserved concurrency is not the plan's", () => {
    expect(workerStack({ reserved: 5, planned: { metadata: 5 } }).guard.validate()).toEqual([]);
    expect(workerStack({ reserved: 5, planned: { metadata: 3 } }).guard.validate()).toEqual([
      expect.stringContaining('retrieves metadata with reserved_concurrent_executions 5, but the rate budget gives 3'),
    ]);
    // The plan of the other kind does not apply.
    expect(workerStack({ reserved: 5, planned: { analytics: 3 } }).guard.validate()).toEqual([]);
    expect(workerStack({ reserved: null, planned: { metadata: 3 } }).guard.validate()).toEqual([
      expect.stringContaining('without reserved_concurrent_executions (got null)'),
    ]);
  });

  it('fails a worker without reserved concurrency (or with 0)', () => {
    expect(workerStack({ reserved: null }).guard.validate()).toEqual([
      expect.stringContaining('without reserved_concurrent_executions (got null)'),
    ]);
    expect(workerStack({ reserved: 0 }).guard.validate()).toEqual([
      expect.stringContaining('without reserved_concurrent_executions (got 0)'),
    ]);
  });

  it('checks analytics workers too and rejects unknown tag values', () => {
    expect(workerStack({ kind: 'analytics', reserved: null }).guard.validate()[0]).toContain(
      'retrieves analytics without reserved_concurrent_executions',
    );
    expect(workerStack({ kind: 'reports' }).guard.validate()).toEqual([expect.stringContaining('it must be one of metadata, analytics')]);
  });

  it('ignores Lambdas without the retrieval tag', () => {
    expect(workerStack({ kind: '', reserved: null, feed: false }).guard.validate()).toEqual([]);
  });

  it('fails a synchronous poller wired by hand: a schedule rule targeting the worker', () => {
    const { stack, fn, guard } = workerStack();
    const rule = new CloudwatchEventRule(stack, 'every-minute', { name: 'loadlab-test-poll', scheduleExpression: 'rate(1 minute)' });
    new CloudwatchEventTarget(stack, 'poll', { rule: rule.name, arn: fn.arn });
    const problems = guard.validate();
    expect(problems).toEqual([
      expect.stringMatching(
        /aws_cloudwatch_event_target\.poll points the schedule aws_cloudwatch_event_rule\.every-minute \(rate\(1 minute\)\) at retrieval Lambda aws_lambda_function\.worker; a timer poller is synchronous retrieval/,
      ),
    ]);
    expect(() => Testing.synth(stack, true)).toThrow(/a timer poller is synchronous retrieval/);
  });

  it('sees through aliases', () => {
    const { stack, fn, guard } = workerStack();
    const alias = new LambdaAlias(stack, 'live', { name: 'live', functionName: fn.functionName, functionVersion: '$LATEST' });
    const rule = new CloudwatchEventRule(stack, 'tick', { scheduleExpression: 'cron(0/5 * * * ? *)' });
    new CloudwatchEventTarget(stack, 'poll', { rule: rule.name, arn: alias.arn });
    expect(guard.validate()).toHaveLength(1);
  });

  it('fails a schedule whose input polls the analytics query or recording metadata, whatever it targets', () => {
    const { stack, guard } = workerStack();
    new SchedulerSchedule(stack, 'analytics-poll', {
      scheduleExpression: 'rate(5 minutes)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: 'arn:aws:states:us-east-1:111122223333:stateMachine:poller',
        roleArn: ROLE,
        input: JSON.stringify({ path: '/api/v2/analytics/conversations/details/query', body: { interval: 'PT5M' } }),
      },
    });
    const rule = new CloudwatchEventRule(stack, 'meta', { scheduleExpression: 'rate(1 minute)' });
    new CloudwatchEventTarget(stack, 'meta-target', {
      rule: rule.name,
      arn: 'arn:aws:ecs:us-east-1:111122223333:cluster/x',
      input: JSON.stringify({ url: '/api/v2/conversations/abc/recordingmetadata' }),
    });
    const problems = guard.validate();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('aws_cloudwatch_event_target.meta-target is a schedule whose input polls recording metadata');
    expect(problems[1]).toContain('aws_scheduler_schedule.analytics-poll is a schedule whose input polls the synchronous analytics query');
  });

  it('fails a schedule that calls the analytics query itself through an API destination', () => {
    const { stack, guard } = workerStack();
    const connection = new CloudwatchEventConnection(stack, 'genesys', {
      name: 'genesys-oauth',
      authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      authParameters: {
        oauth: {
          authorizationEndpoint: 'https://login.mypurecloud.com/oauth/token',
          httpMethod: 'POST',
          clientParameters: { clientId: 'id', clientSecret: 'secret' },
          oauthHttpParameters: { body: [{ key: 'grant_type', value: 'client_credentials' }] },
        },
      },
    });
    const destination = new CloudwatchEventApiDestination(stack, 'query', {
      name: 'genesys-analytics-query',
      connectionArn: connection.arn,
      httpMethod: 'POST',
      invocationEndpoint: 'https://api.mypurecloud.com/api/v2/analytics/conversations/details/query',
    });
    const rule = new CloudwatchEventRule(stack, 'every-5-min', { scheduleExpression: 'rate(5 minutes)' });
    new CloudwatchEventTarget(stack, 'query-target', { rule: rule.name, arn: destination.arn, roleArn: ROLE, input: '{"interval":"x"}' });
    expect(guard.validate()).toEqual([
      expect.stringContaining(
        'aws_cloudwatch_event_target.query-target is a schedule whose API destination polls the synchronous analytics query',
      ),
    ]);
  });

  it('fails a scheduler schedule targeting the worker', () => {
    const { stack, fn, guard } = workerStack();
    new SchedulerSchedule(stack, 'tick', {
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: fn.arn, roleArn: ROLE },
    });
    expect(guard.validate()).toEqual([
      expect.stringContaining('aws_scheduler_schedule.tick (rate(1 minute)) targets retrieval Lambda aws_lambda_function.worker'),
    ]);
  });

  it('fails an event rule that sends events straight to the worker instead of its queue', () => {
    const { stack, fn, queue, guard } = workerStack();
    const rule = new CloudwatchEventRule(stack, 'events', {
      eventPattern: JSON.stringify({ source: [{ prefix: 'aws.partner/genesys.com' }] }),
    });
    new CloudwatchEventTarget(stack, 'direct', { rule: rule.name, arn: fn.arn });
    new CloudwatchEventTarget(stack, 'to-queue', { rule: rule.name, arn: queue.arn });
    expect(guard.validate()).toEqual([
      expect.stringContaining('aws_cloudwatch_event_target.direct sends events straight to retrieval Lambda'),
    ]);
  });

  it('works on plain synthesized JSON too (literal names)', () => {
    const json = {
      resource: {
        aws_lambda_function: {
          w: { function_name: 'metadata-worker', tags: { [RETRIEVAL_TAG]: 'metadata' }, reserved_concurrent_executions: 2 },
        },
        aws_sqs_queue: { q: { redrive_policy: '{"deadLetterTargetArn":"arn","maxReceiveCount":5}' } },
        aws_lambda_event_source_mapping: { m: { function_name: 'metadata-worker', event_source_arn: '${aws_sqs_queue.q.arn}' } },
        aws_cloudwatch_event_rule: { r: { name: 'tick', schedule_expression: 'rate(1 minute)' } },
        aws_cloudwatch_event_target: { t: { rule: 'tick', arn: 'arn:aws:lambda:us-east-1:111122223333:function:metadata-worker' } },
      },
    };
    expect(asyncViolations(json, 'x')).toEqual([expect.stringContaining('points the schedule aws_cloudwatch_event_rule.r')]);
  });
});
