import { GenesysApiError, realSleep, type ApiResponse } from '../../lib/genesys-client';
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
import { MalformedReportMessageError, parseReportMessage, reportKeys, type ReportWindow } from './messages';

/** The Genesys calls report jobs make; `GenesysApiClient` satisfies it. */
export interface JobsApi {
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
}

export const JOBS_PATH = '/api/v2/analytics/conversations/details/jobs';

export interface ReportJobsDeps {
  readonly api: JobsApi;
  /** The analytics bucket (keys under `analytics/`). */
  readonly store: ObjectStore;
  readonly sender: MessageSender;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly maxReceiveCount: number;
  readonly metrics: InvocationMetrics;
  /** Results per page. Default 1000. */
  readonly pageSize?: number;
  /** First wait between job status polls, doubling up to `maxPollMs`. Defaults 2000 / 30000. */
  readonly firstPollMs?: number;
  readonly maxPollMs?: number;
  /** While the data lake has not caught up with a window: re-check this often, this many times. Defaults 900 s x 96 (24 h). */
  readonly availabilityDelaySec?: number;
  readonly maxAvailabilityChecks?: number;
  /** Milliseconds left in this invocation. Default: unlimited. */
  readonly remainingMs?: () => number;
  /** Stop polling in-process and re-enqueue with less than this left. Default 30000. */
  readonly reserveMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export type ReportOutcome = 'exported' | 'duplicate' | 'waiting-for-data' | 'polling' | 'dispatched' | 'dead-lettered' | 'retry';

const OUTCOME_METRIC: Record<ReportOutcome, string> = {
  exported: 'ReportsExported',
  duplicate: 'ReportsDuplicate',
  'waiting-for-data': 'ReportsWaitingForData',
  polling: 'ReportsPolling',
  dispatched: 'AvailabilityDispatched',
  'dead-lettered': 'ReportsDeadLettered',
  retry: 'ReportsRetried',
};

interface JobRecord {
  readonly testId: string;
  readonly interval: string;
  readonly jobId: string;
  readonly submittedAt: string;
  /** Paging progress, so a timed-out invocation resumes where it stopped. */
  readonly pagesWritten?: number;
  readonly nextCursor?: string;
  readonly conversations?: number;
}

interface JobStatus {
  readonly state?: string;
  readonly errorMessage?: string;
}

interface ResultsPage {
  readonly conversations?: unknown[];
  readonly cursor?: string;
  readonly dataAvailabilityDate?: string;
}

class PermanentError extends Error {}

function httpError(method: string, path: string, res: ApiResponse<unknown>): PermanentError {
  const b = res.body as { code?: unknown; message?: unknown } | undefined;
  const detail = b && typeof b === 'object' ? [b.code, b.message].filter((x) => typeof x === 'string').join(': ') : '';
  return new PermanentError(`${method} ${path}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
}

/** Defaults resolved once per batch, shared by the steps below. */
interface ReportContext {
  readonly deps: ReportJobsDeps;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (entry: Record<string, unknown>) => void;
  readonly remaining: () => number;
  readonly reserve: number;
}

function resolveContext(deps: ReportJobsDeps): ReportContext {
  return {
    deps,
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? realSleep,
    log: deps.log ?? ((e) => console.log(JSON.stringify(e))),
    remaining: deps.remainingMs ?? (() => Number.POSITIVE_INFINITY),
    reserve: deps.reserveMs ?? 30_000,
  };
}

async function deadLetter(ctx: ReportContext, record: SqsRecord, reason: string): Promise<ReportOutcome> {
  await sendToDeadLetter(ctx.deps.sender, ctx.deps.deadLetterQueueUrl, record, reason, { now: ctx.now(), log: ctx.log });
  return 'dead-lettered';
}

async function readJob(ctx: ReportContext, testId: string): Promise<JobRecord | undefined> {
  const text = await ctx.deps.store.get(reportKeys.job(testId));
  return text === undefined ? undefined : (JSON.parse(text) as JobRecord);
}

async function submitJob(ctx: ReportContext, w: ReportWindow): Promise<JobRecord> {
  const { deps } = ctx;
  let res: ApiResponse<{ jobId?: string }>;
  try {
    res = await deps.api.post<{ jobId?: string }>(JOBS_PATH, { interval: w.interval, order: 'asc', orderBy: 'conversationStart' });
  } catch (err) {
    // The client does not repeat a job submission that timed out or got a 5xx (it may have been
    // applied). Genesys cannot look a job up by its query, so the message is retried later
    // through SQS; if the first submission did go through, that job runs unread and expires.
    if (err instanceof GenesysApiError && err.outcomeUnknown) {
      ctx.log({ level: 'WARN', msg: 'job submission outcome unknown; retried with the message', testId: w.testId, error: err.message });
      deps.metrics.count('JobSubmissionsUnknown');
    }
    throw err;
  }
  if (res.status !== 200 && res.status !== 202) throw httpError('POST', JOBS_PATH, res);
  const jobId = res.body?.jobId;
  if (typeof jobId !== 'string' || jobId === '') throw new PermanentError(`POST ${JOBS_PATH}: response has no jobId`);
  const job: JobRecord = { testId: w.testId, interval: w.interval, jobId, submittedAt: new Date(ctx.now()).toISOString() };
  if ((await deps.store.putIfAbsent(reportKeys.job(w.testId), JSON.stringify(job))) === 'exists') {
    // Another invocation submitted first: cancel ours so the org's job slots are not wasted.
    await deps.api.request('DELETE', `${JOBS_PATH}/${jobId}`);
    const theirs = await readJob(ctx, w.testId);
    if (theirs) return theirs;
  }
  deps.metrics.count('JobsSubmitted');
  return job;
}

async function requeue(ctx: ReportContext, record: SqsRecord, attr: string, delaySec: number): Promise<number> {
  const n = counterAttribute(record, attr) + 1;
  await ctx.deps.sender.send(ctx.deps.queueUrl, record.body, { delaySeconds: delaySec, attributes: { [attr]: String(n) } });
  return n;
}

/** Returns the window's job, submitting one once the data lake covers the window, or the outcome if it does not yet. */
async function resolveJob(ctx: ReportContext, record: SqsRecord, w: ReportWindow, end: number): Promise<JobRecord | ReportOutcome> {
  const { deps } = ctx;
  const existing = await readJob(ctx, w.testId);
  if (existing) return existing;
  const availabilityPath = `${JOBS_PATH}/availability`;
  const avail = await deps.api.get<{ dataAvailabilityDate?: string }>(availabilityPath);
  if (avail.status !== 200) throw httpError('GET', availabilityPath, avail);
  const date = Date.parse(avail.body?.dataAvailabilityDate ?? '');
  if (Number.isNaN(date)) throw new PermanentError(`GET ${availabilityPath}: no dataAvailabilityDate in the response`);
  if (date < end) {
    // Jobs read the data lake, which lags; a job now would miss the end of the test.
    const checks = counterAttribute(record, ATTR.checks);
    if (checks >= (deps.maxAvailabilityChecks ?? 96)) {
      return deadLetter(
        ctx,
        record,
        `analytics data for ${w.interval} still not available after ${checks} checks (data lake at ${new Date(date).toISOString()})`,
      );
    }
    await deps.store.put(reportKeys.pending(w.testId), JSON.stringify(w));
    await requeue(ctx, record, ATTR.checks, deps.availabilityDelaySec ?? 900);
    return 'waiting-for-data';
  }
  return submitJob(ctx, w);
}

/** Polls the job's state, backing off, until it is done (`undefined`) or this invocation runs short. */
async function awaitJob(ctx: ReportContext, record: SqsRecord, w: ReportWindow, job: JobRecord): Promise<ReportOutcome | undefined> {
  const { deps } = ctx;
  let wait = deps.firstPollMs ?? 2000;
  for (;;) {
    const statusPath = `${JOBS_PATH}/${job.jobId}`;
    const status = await deps.api.get<JobStatus>(statusPath);
    if (status.status === 404) {
      // The job is gone (expired or purged): forget it so the next attempt submits a new one.
      await deps.store.delete(reportKeys.job(w.testId));
      throw new Error(`job ${job.jobId} for ${w.testId} no longer exists; a new one will be submitted`);
    }
    if (status.status !== 200) throw httpError('GET', statusPath, status);
    const state = status.body?.state;
    deps.metrics.count('JobStatusPolls');
    if (state === 'FULFILLED') return undefined;
    if (state === 'FAILED' || state === 'CANCELLED' || state === 'EXPIRED') {
      await deps.store.delete(reportKeys.job(w.testId));
      return deadLetter(
        ctx,
        record,
        `job ${job.jobId} for ${w.testId} ended ${state}${status.body?.errorMessage ? `: ${status.body.errorMessage}` : ''}; redrive to submit a new job`,
      );
    }
    if (ctx.remaining() - wait < ctx.reserve) {
      await requeue(ctx, record, ATTR.polls, Math.ceil(Math.max(wait, 1000) / 1000));
      return 'polling';
    }
    await ctx.sleep(wait);
    wait = Math.min(wait * 2, deps.maxPollMs ?? 30_000);
  }
}

interface PagedResults {
  readonly job: JobRecord;
  readonly pages: number;
  readonly conversations: number;
  readonly dataAvailabilityDate?: string;
}

/** Pages the results by cursor; progress is saved so a retry resumes, not restarts. */
async function pageResults(
  ctx: ReportContext,
  record: SqsRecord,
  w: ReportWindow,
  start: JobRecord,
): Promise<PagedResults | ReportOutcome> {
  const { deps } = ctx;
  let job = start;
  let pages = job.pagesWritten ?? 0;
  let conversations = job.conversations ?? 0;
  let cursor = job.nextCursor;
  let dataAvailabilityDate: string | undefined;
  do {
    if (ctx.remaining() < ctx.reserve) {
      await requeue(ctx, record, ATTR.polls, 1);
      return 'polling';
    }
    const q = new URLSearchParams({ pageSize: String(deps.pageSize ?? 1000) });
    if (cursor) q.set('cursor', cursor);
    const resultsPath: string = `${JOBS_PATH}/${job.jobId}/results?${q.toString()}`;
    const page: ApiResponse<ResultsPage> = await deps.api.get<ResultsPage>(resultsPath);
    if (page.status !== 200) throw httpError('GET', resultsPath, page);
    const list = Array.isArray(page.body?.conversations) ? page.body.conversations : [];
    pages++;
    conversations += list.length;
    dataAvailabilityDate = page.body?.dataAvailabilityDate ?? dataAvailabilityDate;
    await deps.store.put(
      reportKeys.page(w.testId, job.jobId, pages),
      JSON.stringify({ testId: w.testId, jobId: job.jobId, page: pages, conversations: list }),
    );
    cursor = typeof page.body?.cursor === 'string' && page.body.cursor !== '' ? page.body.cursor : undefined;
    job = { ...job, pagesWritten: pages, nextCursor: cursor, conversations };
    await deps.store.put(reportKeys.job(w.testId), JSON.stringify(job));
  } while (cursor);
  return { job, pages, conversations, dataAvailabilityDate };
}

/** Writes the manifest last, so its presence means the export is complete. */
async function writeManifest(ctx: ReportContext, w: ReportWindow, results: PagedResults): Promise<ReportOutcome> {
  const { deps } = ctx;
  const { job, pages, conversations, dataAvailabilityDate } = results;
  const manifest = {
    schema: 'genesys-loadlab/analytics-export@1',
    testId: w.testId,
    interval: w.interval,
    jobId: job.jobId,
    pages,
    conversations,
    dataAvailabilityDate,
    pageKeys: Array.from({ length: pages }, (_, i) => reportKeys.page(w.testId, job.jobId, i + 1)),
    completedAt: new Date(ctx.now()).toISOString(),
  };
  await deps.store.putIfAbsent(reportKeys.manifest(w.testId), JSON.stringify(manifest));
  await deps.store.delete(reportKeys.pending(w.testId));
  deps.metrics.count('ConversationsExported', conversations);
  return 'exported';
}

async function exportWindow(ctx: ReportContext, record: SqsRecord, w: ReportWindow, end: number): Promise<ReportOutcome> {
  if ((await ctx.deps.store.get(reportKeys.manifest(w.testId))) !== undefined) return 'duplicate';
  const job = await resolveJob(ctx, record, w, end);
  if (typeof job === 'string') return job;
  const polled = await awaitJob(ctx, record, w, job);
  if (polled !== undefined) return polled;
  const results = await pageResults(ctx, record, w, job);
  if (typeof results === 'string') return results;
  return writeManifest(ctx, w, results);
}

/** The data lake moved forward: release every waiting window it now covers. */
async function dispatchAvailable(ctx: ReportContext, date: number): Promise<ReportOutcome> {
  const { deps } = ctx;
  for (const key of await deps.store.list(reportKeys.pendingPrefix)) {
    const text = await deps.store.get(key);
    if (text === undefined) continue;
    let parsed;
    try {
      parsed = parseReportMessage(text);
    } catch {
      await deps.store.delete(key);
      continue;
    }
    if (parsed.kind === 'window' && parsed.end <= date) await deps.sender.send(deps.queueUrl, JSON.stringify(parsed.window));
  }
  return 'dispatched';
}

async function processRecord(ctx: ReportContext, record: SqsRecord): Promise<ReportOutcome> {
  try {
    const msg = parseReportMessage(record.body);
    return msg.kind === 'availability'
      ? await dispatchAvailable(ctx, msg.dataAvailabilityDate)
      : await exportWindow(ctx, record, msg.window, msg.end);
  } catch (err) {
    if (err instanceof MalformedReportMessageError)
      return deadLetter(ctx, record, `malformed message: ${err.reason}`).catch(() => 'retry' as const);
    if (err instanceof PermanentError) return deadLetter(ctx, record, err.message).catch(() => 'retry' as const);
    if (receiveCount(record) >= ctx.deps.maxReceiveCount) {
      return deadLetter(ctx, record, `gave up after ${receiveCount(record)} receives: ${describeError(err)}`).catch(() => 'retry' as const);
    }
    ctx.log({ level: 'WARN', msg: 'will retry', messageId: record.messageId, error: describeError(err) });
    return 'retry';
  }
}

/**
 * Exports a load test's conversations through the async conversation details jobs API: waits for
 * the data lake to cover the window, submits one job (recorded in the bucket so a redelivery
 * never submits a second), polls its state with backoff, pages results by cursor into the
 * analytics bucket, and writes a manifest last. Every call goes through the shared paced client.
 */
export async function processReportBatch(records: readonly SqsRecord[], deps: ReportJobsDeps): Promise<SqsBatchResponse> {
  const ctx = resolveContext(deps);
  const failures: { itemIdentifier: string }[] = [];
  for (const record of records) {
    const outcome = await processRecord(ctx, record);
    deps.metrics.count(OUTCOME_METRIC[outcome]);
    if (outcome === 'retry') failures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures: failures };
}
