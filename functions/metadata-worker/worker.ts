import { AVAILABILITY_DEFAULTS } from '../../lib/contracts/lambda-env';
import type { ApiResponse } from '../../lib/genesys-client';
import { describeError } from '../shared/genesys';
import type { InvocationMetrics } from '../shared/metrics';
import type { ObjectStore } from '../shared/object-store';
import {
  ATTR,
  counterAttribute,
  sendToDeadLetter,
  receiveCount,
  type MessageSender,
  type SqsBatchResponse,
  type SqsRecord,
} from '../shared/sqs';
import { MalformedEventError, metadataKey, parseMetadataEvent, SAFE_ID, type MetadataEvent } from './event';

/** The Genesys calls the worker makes; `GenesysApiClient` satisfies it. */
export interface RecordingsApi {
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
}

export interface AvailabilityPolicy {
  /** Times a conversation is re-checked while its recordings are not available yet. Default 8. */
  readonly maxChecks: number;
  /** Delay before the first re-check, in seconds; doubles each time. Default 30. */
  readonly firstDelaySec: number;
  /** Longest delay between re-checks (SQS allows 900). Default 900. */
  readonly maxDelaySec: number;
}

export const DEFAULT_AVAILABILITY: AvailabilityPolicy = { ...AVAILABILITY_DEFAULTS, maxDelaySec: 900 };

export interface MetadataWorkerDeps {
  readonly api: RecordingsApi;
  /** The results bucket (keys `metadata/<conversationId>/<recordingId>.json`). */
  readonly store: ObjectStore;
  readonly sender: MessageSender;
  /** The metadata queue itself: re-checks are re-enqueued here with an SQS delay. */
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The queue's redrive maxReceiveCount: on the last receive a failing message is dead-lettered with its reason. */
  readonly maxReceiveCount: number;
  readonly availability?: AvailabilityPolicy;
  readonly metrics: InvocationMetrics;
  /** Records handled at once within a batch (the token bucket paces them together). Default: all. */
  readonly concurrency?: number;
  /** Milliseconds left in this invocation; records are not started with less than `reserveMs` left. */
  readonly remainingMs?: () => number;
  /** Default 10000. */
  readonly reserveMs?: number;
  readonly now?: () => number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export type Outcome = 'archived' | 'duplicate' | 'no-recordings' | 'ignored' | 'rechecking' | 'dead-lettered' | 'handed-back' | 'retry';

/** Outcome counters, written as metrics (`Archived`, `Duplicates`, ...). */
const OUTCOME_METRIC: Record<Outcome, string> = {
  archived: 'EventsArchived',
  duplicate: 'EventsDuplicate',
  'no-recordings': 'EventsNoRecordings',
  ignored: 'EventsIgnored',
  rechecking: 'EventsRechecking',
  'dead-lettered': 'EventsDeadLettered',
  'handed-back': 'EventsHandedBack',
  retry: 'EventsRetried',
};

interface RecordingItem {
  readonly id?: unknown;
  readonly fileState?: unknown;
  readonly [k: string]: unknown;
}

/** Recordings exist but their files are still being written. */
const NOT_READY_FILE_STATES = new Set(['UPLOADING', 'RESTORING']);

type Fetched =
  | { readonly kind: 'ready'; readonly metadata: RecordingItem[]; readonly recordings: RecordingItem[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'not-yet'; readonly why: string };

class PermanentError extends Error {}

function describeHttp(method: string, path: string, res: ApiResponse<unknown>): string {
  const b = res.body as { code?: unknown; message?: unknown } | undefined;
  const detail = b && typeof b === 'object' ? [b.code, b.message].filter((x) => typeof x === 'string').join(': ') : '';
  return `${method} ${path}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
}

async function fetchRecordings(api: RecordingsApi, conversationId: string): Promise<Fetched> {
  const metaPath = `/api/v2/conversations/${conversationId}/recordingmetadata`;
  const meta = await api.get<RecordingItem[]>(metaPath);
  // 404 until Genesys has the conversation's recordings; 202 while it is still preparing them.
  if (meta.status === 404 || meta.status === 202) return { kind: 'not-yet', why: describeHttp('GET', metaPath, meta) };
  if (meta.status !== 200) throw new PermanentError(describeHttp('GET', metaPath, meta));
  if (!Array.isArray(meta.body)) throw new PermanentError(`GET ${metaPath}: expected a JSON array of recordings`);
  if (meta.body.length === 0) return { kind: 'none' };
  const uploading = meta.body.filter((r) => typeof r.fileState === 'string' && NOT_READY_FILE_STATES.has(r.fileState));
  if (uploading.length > 0) return { kind: 'not-yet', why: `${uploading.length} recording(s) still ${String(uploading[0].fileState)}` };
  // formatId=NONE: metadata only, so Genesys does not start transcoding media nobody downloads.
  const recPath = `/api/v2/conversations/${conversationId}/recordings?formatId=NONE`;
  const recs = await api.get<RecordingItem[]>(recPath);
  if (recs.status === 404 || recs.status === 202) return { kind: 'not-yet', why: describeHttp('GET', recPath, recs) };
  if (recs.status !== 200) throw new PermanentError(describeHttp('GET', recPath, recs));
  if (!Array.isArray(recs.body)) throw new PermanentError(`GET ${recPath}: expected a JSON array of recordings`);
  return { kind: 'ready', metadata: meta.body, recordings: recs.body };
}

/** Media URIs are short-lived signed links: archiving them would only store dead links. */
function withoutMediaUris(r: RecordingItem | undefined): Record<string, unknown> | undefined {
  if (!r) return undefined;
  const { mediaUris: _dropped, ...rest } = r;
  void _dropped;
  return rest;
}

/** Defaults resolved once per batch, shared by the steps below. */
interface MetadataContext {
  readonly deps: MetadataWorkerDeps;
  readonly now: () => number;
  readonly log: (entry: Record<string, unknown>) => void;
  readonly policy: AvailabilityPolicy;
  readonly reserve: number;
}

function resolveContext(deps: MetadataWorkerDeps): MetadataContext {
  return {
    deps,
    now: deps.now ?? Date.now,
    log: deps.log ?? ((e) => console.log(JSON.stringify(e))),
    policy: deps.availability ?? DEFAULT_AVAILABILITY,
    reserve: deps.reserveMs ?? 10_000,
  };
}

async function deadLetter(ctx: MetadataContext, record: SqsRecord, reason: string): Promise<Outcome> {
  await sendToDeadLetter(ctx.deps.sender, ctx.deps.deadLetterQueueUrl, record, reason, { now: ctx.now(), log: ctx.log });
  return 'dead-lettered';
}

async function recheck(ctx: MetadataContext, record: SqsRecord, checks: number): Promise<Outcome> {
  const { deps, policy } = ctx;
  const delay = Math.min(policy.maxDelaySec, policy.firstDelaySec * 2 ** checks);
  await deps.sender.send(deps.queueUrl, record.body, { delaySeconds: delay, attributes: { [ATTR.checks]: String(checks + 1) } });
  return 'rechecking';
}

/** Writes one JSON object per recording, each once: a duplicate event writes nothing. */
async function archiveRecordings(
  ctx: MetadataContext,
  record: SqsRecord,
  event: Extract<MetadataEvent, { kind: 'conversation-end' }>,
  fetched: Extract<Fetched, { kind: 'ready' }>,
): Promise<Outcome> {
  const byId = new Map(fetched.recordings.map((r) => [r.id, r]));
  let created = 0;
  for (const m of fetched.metadata) {
    if (typeof m.id !== 'string' || !SAFE_ID.test(m.id)) {
      return deadLetter(ctx, record, `conversation ${event.conversationId}: a recording has no valid id (${JSON.stringify(m.id)})`);
    }
    const doc = {
      schema: 'genesys-loadlab/recording-metadata@1',
      conversationId: event.conversationId,
      recordingId: m.id,
      archivedAt: new Date(ctx.now()).toISOString(),
      sourceEvent: { topicName: event.topicName, eventTime: event.eventTime },
      recordingMetadata: m,
      recording: withoutMediaUris(byId.get(m.id)),
    };
    if ((await ctx.deps.store.putIfAbsent(metadataKey(event.conversationId, m.id), JSON.stringify(doc))) === 'created') created++;
  }
  ctx.deps.metrics.count('RecordingsArchived', created);
  return created > 0 ? 'archived' : 'duplicate';
}

async function handle(ctx: MetadataContext, record: SqsRecord): Promise<Outcome> {
  const { deps, policy } = ctx;
  if (deps.remainingMs && deps.remainingMs() < ctx.reserve) {
    // Too little time left to finish: put it back without spending one of its receives.
    await deps.sender.send(deps.queueUrl, record.body, { attributes: carriedAttributes(record) });
    return 'handed-back';
  }
  let event;
  try {
    event = parseMetadataEvent(record.body);
  } catch (err) {
    if (err instanceof MalformedEventError) return deadLetter(ctx, record, `malformed event: ${err.reason}`);
    throw err;
  }
  if (event.kind === 'ignored') return 'ignored';
  const checks = counterAttribute(record, ATTR.checks);
  let fetched: Fetched;
  try {
    fetched = await fetchRecordings(deps.api, event.conversationId);
  } catch (err) {
    if (err instanceof PermanentError) return deadLetter(ctx, record, err.message);
    throw err;
  }
  if (fetched.kind === 'none') {
    // Recording may simply be off for this conversation; re-check a few times before concluding so.
    if (checks < policy.maxChecks) return recheck(ctx, record, checks);
    return 'no-recordings';
  }
  if (fetched.kind === 'not-yet') {
    if (checks < policy.maxChecks) return recheck(ctx, record, checks);
    return deadLetter(
      ctx,
      record,
      `recordings of conversation ${event.conversationId} not available after ${checks + 1} checks: ${fetched.why}`,
    );
  }
  return archiveRecordings(ctx, record, event, fetched);
}

async function transientFailure(ctx: MetadataContext, record: SqsRecord, err: unknown): Promise<Outcome> {
  const reason = describeError(err);
  if (receiveCount(record) >= ctx.deps.maxReceiveCount) {
    // Last receive: SQS would move it to the DLQ without a word; move it ourselves, with the reason.
    try {
      return await deadLetter(ctx, record, `gave up after ${receiveCount(record)} receives: ${reason}`);
    } catch (dlqErr) {
      ctx.log({ level: 'ERROR', msg: 'dead-letter send failed', messageId: record.messageId, error: describeError(dlqErr) });
      return 'retry';
    }
  }
  ctx.log({ level: 'WARN', msg: 'will retry', messageId: record.messageId, receiveCount: receiveCount(record), error: reason });
  return 'retry';
}

/**
 * Processes one SQS batch of Genesys conversation events: fetches each ended conversation's
 * recording metadata under the token bucket, archives one JSON object per recording (written
 * once: a duplicate event writes nothing), re-checks later when recordings are not available
 * yet, dead-letters malformed events with their reason, and reports only transient failures
 * back to SQS (`ReportBatchItemFailures`).
 */
export async function processMetadataBatch(records: readonly SqsRecord[], deps: MetadataWorkerDeps): Promise<SqsBatchResponse> {
  const ctx = resolveContext(deps);
  const failures: { itemIdentifier: string }[] = [];

  const run = async (record: SqsRecord): Promise<void> => {
    let outcome: Outcome;
    try {
      outcome = await handle(ctx, record);
    } catch (err) {
      outcome = await transientFailure(ctx, record, err);
    }
    deps.metrics.count(OUTCOME_METRIC[outcome]);
    if (outcome === 'retry') failures.push({ itemIdentifier: record.messageId });
  };

  const limit = Math.max(1, deps.concurrency ?? records.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, records.length) }, async () => {
    while (next < records.length) await run(records[next++]);
  });
  await Promise.all(lanes);
  return { batchItemFailures: failures };
}

function carriedAttributes(record: SqsRecord): Record<string, string> {
  const checks = counterAttribute(record, ATTR.checks);
  return checks > 0 ? { [ATTR.checks]: String(checks) } : {};
}
