import { attachedTo, isLiteral, referenced, refersTo, refsIn, resources, strings } from '../../lib/policy/terraform-json';

const json = {
  resource: {
    aws_sqs_queue: { events: { name: 'events' }, dlq: { name: 'dlq' } },
    aws_sqs_queue_redrive_policy: { redrive: { queue_url: '${aws_sqs_queue.events.url}' } },
    aws_lambda_event_source_mapping: { feed: { event_source_arn: '${aws_sqs_queue.events.arn}', function_name: 'fn' } },
  },
};

describe('Terraform JSON engine (shared by the policy rules and the synth guards)', () => {
  it('walks resources, of one type or all', () => {
    expect(resources(json).map((r) => r.address)).toEqual([
      'aws_sqs_queue.events',
      'aws_sqs_queue.dlq',
      'aws_sqs_queue_redrive_policy.redrive',
      'aws_lambda_event_source_mapping.feed',
    ]);
    expect(resources(json, 'aws_sqs_queue').map((r) => r.name)).toEqual(['events', 'dlq']);
    expect(resources({})).toEqual([]);
  });

  it('walks every string with its path', () => {
    expect([...strings({ a: ['x', { b: 'y' }], c: 1 })]).toEqual([
      { path: 'a[0]', value: 'x' },
      { path: 'a[1].b', value: 'y' },
    ]);
  });

  it('resolves references in strings, nested values, JSON documents and function calls', () => {
    expect(refsIn('${aws_sqs_queue.events.arn}')).toEqual([{ type: 'aws_sqs_queue', name: 'events' }]);
    expect(refsIn({ Statement: [{ Resource: '${aws_s3_bucket.b.arn}/*' }] })).toEqual([{ type: 'aws_s3_bucket', name: 'b' }]);
    expect(refsIn(JSON.stringify({ deadLetterTargetArn: '${aws_sqs_queue.dlq.arn}' }))).toEqual([{ type: 'aws_sqs_queue', name: 'dlq' }]);
    expect(refsIn('${element(aws_subnet.public.*.id, 0)}')).toEqual([{ type: 'aws_subnet', name: 'public' }]);
    expect(refsIn('${data.aws_caller_identity.me.account_id}')).toEqual([{ type: 'data.aws_caller_identity', name: 'me' }]);
    // A reference to another stack, as cdktf renders it once the stack is prepared.
    expect(refsIn('${data.terraform_remote_state.cross-stack-reference-input-archive.outputs.bucket_arn}')).toEqual([
      { type: 'data.terraform_remote_state', name: 'cross-stack-reference-input-archive', output: 'bucket_arn' },
    ]);
    // Literals are not references.
    expect(refsIn('aws_sqs_queue.events.arn')).toEqual([]);
    expect(refsIn(42)).toEqual([]);
  });

  it('tells literals from expressions', () => {
    expect(isLiteral('loadlab-example-metadata-worker')).toBe(true);
    expect(isLiteral('${aws_lambda_function.w.function_name}')).toBe(false);
    expect(isLiteral('prefix-${var.x}')).toBe(false);
    expect(isLiteral(3)).toBe(false);
  });

  it('says what refers to what', () => {
    const events = { type: 'aws_sqs_queue', name: 'events' };
    expect(refersTo('${aws_sqs_queue.events.arn}', events)).toBe(true);
    expect(refersTo('${aws_sqs_queue.events_2.arn}', events)).toBe(false);
    expect(refersTo('${aws_sqs_queue.dlq.arn}', events)).toBe(false);
    expect(attachedTo(json, 'aws_sqs_queue_redrive_policy', 'queue_url', events).map((r) => r.address)).toEqual([
      'aws_sqs_queue_redrive_policy.redrive',
    ]);
    expect(attachedTo(json, 'aws_sqs_queue_redrive_policy', 'queue_url', { type: 'aws_sqs_queue', name: 'dlq' })).toEqual([]);
    expect(referenced(json, '${aws_sqs_queue.events.arn}', 'aws_sqs_queue').map((r) => r.address)).toEqual(['aws_sqs_queue.events']);
  });
});
