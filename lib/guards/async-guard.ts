/**
 * The async-retrieval guard: metadata and analytics must be fetched off the load's hot path,
 * paced, and never by a timer. It reads a stack's synthesized Terraform JSON (references
 * resolved to `${type.name.attr}`), so it sees what Terraform will see, whoever built the
 * resources.
 *
 * Contract with the constructs that build retrieval workers: every Lambda that retrieves Genesys
 * metadata or analytics carries the tag `loadlab-retrieval` = `metadata` | `analytics` in its own
 * `tags`. Such a Lambda must be
 *  - fed by an `aws_lambda_event_source_mapping` from an `aws_sqs_queue` that has a dead-letter
 *    queue (the predicate of policy rule SQS-002, which checks every queue-fed Lambda in tests;
 *    here it stops synth for retrieval queues);
 *  - capped by `reserved_concurrent_executions` (>= 1, and equal to the rate budget's worker
 *    concurrency when the plan is given), so the worker's token budget holds. That some reserved
 *    concurrency is set on every function is checkov's CKV_AWS_115; the cap against the plan is
 *    only here;
 *  - targeted by no schedule (`aws_cloudwatch_event_rule` with `schedule_expression`,
 *    `aws_scheduler_schedule`) and by no EventBridge rule directly (events go to the queue).
 * And no schedule, whatever it targets, may carry input naming the synchronous analytics query
 * or recording metadata endpoints, or call them through an API destination (a timer that polls them).
 */
import type { TerraformStack } from 'cdktf';
import type { IConstruct, IValidation } from 'constructs';
import { hasDeadLetterQueue } from '../policy/rules/compute';
import { isLiteral, refsIn, resources } from '../policy/terraform-json';

export const RETRIEVAL_TAG = 'loadlab-retrieval';
export const RETRIEVAL_KINDS = ['metadata', 'analytics'] as const;
export type RetrievalKind = (typeof RETRIEVAL_KINDS)[number];

/** Endpoint fragments a timer must never poll. */
export const POLLED_ENDPOINT_PATTERNS: readonly { readonly pattern: RegExp; readonly label: string; readonly instead: string }[] = [
  {
    pattern: /\/api\/v2\/analytics\/conversations\/details\/query/i,
    label: 'the synchronous analytics query POST /api/v2/analytics/conversations/details/query',
    instead: 'submit POST /api/v2/analytics/conversations/details/jobs and react to v2.analytics.conversations.details.jobs.availability',
  },
  {
    pattern: /recordingmetadata/i,
    label: 'recording metadata (/recordingmetadata)',
    instead: 'let conversation events (EventBridge -> SQS) drive the metadata worker',
  },
  {
    pattern: /\/recordings(\b|\/|\?|$)/i,
    label: 'recordings (/recordings)',
    instead: 'let conversation events (EventBridge -> SQS) drive the metadata worker, or export with a recording bulk job',
  },
];

type Body = Record<string, unknown>;

const asArray = (v: unknown): Body[] => (Array.isArray(v) ? (v as Body[]) : v && typeof v === 'object' ? [v as Body] : []);

const addr = (type: string, name: string): string => `${type}.${name}`;

interface Retrieval {
  readonly name: string;
  readonly kind: string;
  readonly body: Body;
}

/** The reserved concurrency the rate budget gives each kind of retrieval worker. */
export type RetrievalConcurrency = Readonly<Partial<Record<RetrievalKind, number>>>;

/** What the checks share: the stack JSON, its resources by type, the retrieval lookup and the reporter. */
interface GuardContext {
  readonly json: { resource?: unknown };
  readonly of: (type: string) => [string, Body][];
  /** The retrieval function a value points at (reference, alias reference or literal name/ARN). */
  readonly retrievalTarget: (value: unknown) => string | undefined;
  readonly say: (address: string, message: string) => void;
}

/** The Lambdas tagged as retrieval workers. */
function findRetrievals(of: GuardContext['of']): Retrieval[] {
  return of('aws_lambda_function')
    .map(([name, body]) => ({ name, body, kind: (body.tags as Record<string, unknown> | undefined)?.[RETRIEVAL_TAG] }))
    .filter((r): r is Retrieval => r.kind !== undefined && r.kind !== null)
    .map((r) => ({ ...r, kind: String(r.kind) }));
}

/** Builds the lookup from a value (reference, alias reference or literal name/ARN) to the retrieval function. */
function retrievalTargetOf(of: GuardContext['of'], retrievals: readonly Retrieval[]): GuardContext['retrievalTarget'] {
  const retrievalNames = new Set(retrievals.map((r) => r.name));
  // Literal function names, for mappings that name the function instead of referencing it.
  const byLiteralName = new Map(
    retrievals.filter((r) => isLiteral(r.body.function_name)).map((r) => [r.body.function_name as string, r.name]),
  );
  // Aliases of retrieval functions count as the function.
  const aliasOf = new Map(
    of('aws_lambda_alias').flatMap(([alias, body]) =>
      refsIn(body.function_name)
        .filter((r) => r.type === 'aws_lambda_function')
        .map((r) => [alias, r.name] as const),
    ),
  );
  return (value: unknown): string | undefined => {
    for (const r of refsIn(value)) {
      if (r.type === 'aws_lambda_function' && retrievalNames.has(r.name)) return r.name;
      if (r.type === 'aws_lambda_alias' && retrievalNames.has(aliasOf.get(r.name) ?? '')) return aliasOf.get(r.name);
    }
    if (typeof value === 'string') {
      for (const [literal, name] of byLiteralName) {
        if (value === literal || value.endsWith(`:function:${literal}`) || value.includes(`:function:${literal}:`)) return name;
      }
    }
    return undefined;
  };
}

/** A retrieval Lambda must be fed from an SQS queue, and that queue must have a dead-letter queue. */
function checkRetrievalQueues(ctx: GuardContext, fn: Retrieval, address: string): void {
  const { json, of, retrievalTarget, say } = ctx;
  const mappings = of('aws_lambda_event_source_mapping').filter(([, m]) => retrievalTarget(m.function_name) === fn.name);
  const sqsSources = mappings.flatMap(([, m]) => refsIn(m.event_source_arn).filter((r) => r.type === 'aws_sqs_queue'));
  if (sqsSources.length === 0) {
    say(
      address,
      `retrieves ${fn.kind} but no aws_lambda_event_source_mapping feeds it from an aws_sqs_queue in this stack; feed it from an SQS queue with a dead-letter queue so retrieval stays asynchronous and paced`,
    );
  }
  // A retrieval queue without a dead-letter queue loses the events that keep failing: refused at
  // synth, with the predicate of policy rule SQS-002 (one implementation, checked here for
  // retrieval queues and by the policy suite for every queue-fed Lambda).
  for (const source of sqsSources) {
    const queue = resources(json, 'aws_sqs_queue').find((q) => q.name === source.name);
    if (queue && !hasDeadLetterQueue(json, queue)) {
      say(
        addr('aws_sqs_queue', queue.name),
        `feeds retrieval Lambda ${address} but has no dead-letter queue; set redrive_policy with deadLetterTargetArn and maxReceiveCount <= 5 (policy rule SQS-002) so events that keep failing are kept`,
      );
    }
  }
}

/** A retrieval Lambda must reserve concurrency, exactly the budget's when the budget gives one. */
function checkReservedConcurrency(ctx: GuardContext, fn: Retrieval, address: string, concurrency: RetrievalConcurrency): void {
  const reserved = fn.body.reserved_concurrent_executions;
  const reservedMissing = reserved === undefined || reserved === null || (typeof reserved === 'number' && reserved < 1);
  if (reservedMissing) {
    ctx.say(
      address,
      `retrieves ${fn.kind} without reserved_concurrent_executions (got ${JSON.stringify(reserved ?? null)}); reserve the worker concurrency the rate budget gives (plan.metadataWorker / plan.reportWorker .concurrency) so its OAuth client stays within its rate limit`,
    );
    return;
  }
  const planned = concurrency[fn.kind as RetrievalKind];
  if (planned !== undefined && reserved !== planned) {
    ctx.say(
      address,
      `retrieves ${fn.kind} with reserved_concurrent_executions ${JSON.stringify(reserved)}, but the rate budget gives ${planned}; reserve exactly the budget's worker concurrency so the fleet stays within its OAuth client's rate limit`,
    );
  }
}

/** Every check on the retrieval Lambdas themselves: kind tag, SQS feeding, reserved concurrency. */
function checkRetrievals(ctx: GuardContext, retrievals: readonly Retrieval[], concurrency: RetrievalConcurrency): void {
  for (const fn of retrievals) {
    const address = addr('aws_lambda_function', fn.name);
    if (!(RETRIEVAL_KINDS as readonly string[]).includes(fn.kind)) {
      ctx.say(address, `has tag ${RETRIEVAL_TAG}=${JSON.stringify(fn.kind)}; it must be one of ${RETRIEVAL_KINDS.join(', ')}`);
    }
    checkRetrievalQueues(ctx, fn, address);
    checkReservedConcurrency(ctx, fn, address, concurrency);
  }
}

/** Reports a schedule whose input (or API destination) names an endpoint a timer must not poll. */
function checkInput(ctx: GuardContext, address: string, inputs: unknown[], via = 'input'): void {
  const text = inputs
    .filter((v) => v !== undefined && v !== null)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join('\n');
  for (const p of POLLED_ENDPOINT_PATTERNS) {
    if (p.pattern.test(text)) ctx.say(address, `is a schedule whose ${via} polls ${p.label}; ${p.instead}`);
  }
}

/**
 * EventBridge rules: schedules must not target retrieval Lambdas nor poll the endpoints; pattern
 * rules must send retrieval events to the queue, not to the function.
 */
function checkEventTargets(ctx: GuardContext): void {
  const { of, retrievalTarget, say } = ctx;
  const rules = new Map(of('aws_cloudwatch_event_rule'));
  const ruleLiteralNames = new Map([...rules].filter(([, b]) => typeof b.name === 'string').map(([n, b]) => [b.name as string, n]));
  const ruleOf = (value: unknown): string | undefined =>
    refsIn(value).find((r) => r.type === 'aws_cloudwatch_event_rule')?.name ??
    (typeof value === 'string' ? ruleLiteralNames.get(value) : undefined);
  const isSchedule = (rule: Body | undefined): boolean => typeof rule?.schedule_expression === 'string' && rule.schedule_expression !== '';
  // A schedule can call the Platform API itself through an API destination (HTTPS endpoint).
  const apiDestinations = new Map(of('aws_cloudwatch_event_api_destination'));
  const destinationEndpoints = (arn: unknown): unknown[] =>
    refsIn(arn)
      .filter((r) => r.type === 'aws_cloudwatch_event_api_destination')
      .map((r) => apiDestinations.get(r.name)?.invocation_endpoint);

  for (const [name, target] of of('aws_cloudwatch_event_target')) {
    const address = addr('aws_cloudwatch_event_target', name);
    const ruleName = ruleOf(target.rule);
    const rule = ruleName ? rules.get(ruleName) : undefined;
    const fn = retrievalTarget(target.arn);
    if (isSchedule(rule)) {
      if (fn) {
        say(
          address,
          `points the schedule ${addr('aws_cloudwatch_event_rule', ruleName!)} (${String(rule!.schedule_expression)}) at retrieval Lambda ${addr('aws_lambda_function', fn)}; a timer poller is synchronous retrieval: drive it from events through its SQS queue`,
        );
      }
      const transformers = asArray(target.input_transformer);
      checkInput(ctx, address, [target.input, ...transformers.map((t) => t.input_template)]);
      checkInput(ctx, address, destinationEndpoints(target.arn), 'API destination');
    } else if (fn) {
      say(
        address,
        `sends events straight to retrieval Lambda ${addr('aws_lambda_function', fn)}; target its SQS queue instead, so events are buffered, paced and dead-lettered`,
      );
    }
  }
}

/** EventBridge Scheduler: no schedule may target a retrieval Lambda or poll the endpoints. */
function checkSchedulerSchedules(ctx: GuardContext): void {
  for (const [name, schedule] of ctx.of('aws_scheduler_schedule')) {
    const address = addr('aws_scheduler_schedule', name);
    for (const target of asArray(schedule.target)) {
      const fn = ctx.retrievalTarget(target.arn);
      if (fn) {
        ctx.say(
          address,
          `(${String(schedule.schedule_expression ?? 'schedule')}) targets retrieval Lambda ${addr('aws_lambda_function', fn)}; a timer poller is synchronous retrieval: drive it from events through its SQS queue`,
        );
      }
      checkInput(ctx, address, [target.input]);
    }
  }
}

/**
 * Everything the guard finds wrong in one synthesized stack. `stackName` prefixes messages;
 * `concurrency` (from the rate budget) is what each retrieval worker must reserve.
 */
export function asyncViolations(json: { resource?: unknown }, stackName = 'stack', concurrency: RetrievalConcurrency = {}): string[] {
  const of = (type: string): [string, Body][] => resources(json, type).map((r) => [r.name, r.body]);
  const problems: string[] = [];
  const say = (address: string, message: string): void => {
    problems.push(`async: ${stackName} ${address} ${message}`);
  };
  const retrievals = findRetrievals(of);
  const ctx: GuardContext = { json, of, retrievalTarget: retrievalTargetOf(of, retrievals), say };
  checkRetrievals(ctx, retrievals, concurrency);
  checkEventTargets(ctx);
  checkSchedulerSchedules(ctx);
  return problems;
}

/** A cdktf validation running asyncViolations on the stack's synthesized JSON. */
export class AsyncRetrievalGuard implements IValidation {
  constructor(
    readonly stack: TerraformStack,
    readonly concurrency: RetrievalConcurrency = {},
  ) {}

  validate(): string[] {
    return asyncViolations(this.stack.toTerraform() as { resource?: unknown }, this.stack.node.id, this.concurrency);
  }
}

/** Installs the async guard on a stack; `concurrency` is the budget's reserved concurrency per kind. */
export function addAsyncGuard(stack: TerraformStack, concurrency: RetrievalConcurrency = {}): AsyncRetrievalGuard {
  const guard = new AsyncRetrievalGuard(stack, concurrency);
  (stack as IConstruct).node.addValidation(guard);
  return guard;
}
