import { randomUUID } from 'node:crypto';
import { conversationDetail } from './fixtures';

/** The states the conversation details jobs API reports. */
export type JobState = 'QUEUED' | 'PENDING' | 'FULFILLED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

export interface JobTimings {
  /** Time a job stays QUEUED, in ms. Default 200. */
  readonly queuedMs?: number;
  /** Time it then stays PENDING before it is FULFILLED (or FAILED), in ms. Default 1000. */
  readonly pendingMs?: number;
  /** Conversations every job returns. Default 120. */
  readonly resultCount?: number;
  /** Results per page when the caller gives no `pageSize`. Default 50. */
  readonly defaultPageSize?: number;
  /** A job is EXPIRED this long after completion, in ms. Default 24 h. */
  readonly retentionMs?: number;
}

interface Job {
  readonly id: string;
  readonly submittedAt: number;
  readonly willFail: boolean;
  readonly interval: string;
  cancelledAt?: number;
}

export interface JobStatus {
  readonly jobId: string;
  readonly state: JobState;
  readonly submissionDate: string;
  readonly completionDate?: string;
  readonly expirationDate?: string;
  readonly errorMessage?: string;
}

/**
 * Conversation details jobs whose state follows the clock: QUEUED for `queuedMs`, PENDING for
 * `pendingMs`, then FULFILLED (or FAILED), EXPIRED after `retentionMs`. Results page with an
 * opaque cursor that encodes the offset.
 */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  readonly timings: Required<JobTimings>;

  constructor(timings: JobTimings = {}) {
    this.timings = {
      queuedMs: timings.queuedMs ?? 200,
      pendingMs: timings.pendingMs ?? 1000,
      resultCount: timings.resultCount ?? 120,
      defaultPageSize: timings.defaultPageSize ?? 50,
      retentionMs: timings.retentionMs ?? 24 * 3600 * 1000,
    };
  }

  submit(interval: string, now: number, willFail: boolean): string {
    const id = randomUUID();
    this.jobs.set(id, { id, submittedAt: now, willFail, interval });
    return id;
  }

  private completesAt(job: Job): number {
    return job.submittedAt + this.timings.queuedMs + this.timings.pendingMs;
  }

  status(id: string, now: number): JobStatus | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const iso = (t: number): string => new Date(t).toISOString();
    const base = { jobId: id, submissionDate: iso(job.submittedAt) };
    if (job.cancelledAt !== undefined) return { ...base, state: 'CANCELLED', completionDate: iso(job.cancelledAt) };
    const done = this.completesAt(job);
    if (now < job.submittedAt + this.timings.queuedMs) return { ...base, state: 'QUEUED' };
    if (now < done) return { ...base, state: 'PENDING' };
    if (job.willFail)
      return { ...base, state: 'FAILED', completionDate: iso(done), errorMessage: 'Simulated job failure (faults.jobFailureRate)' };
    const expires = done + this.timings.retentionMs;
    return { ...base, state: now < expires ? 'FULFILLED' : 'EXPIRED', completionDate: iso(done), expirationDate: iso(expires) };
  }

  cancel(id: string, now: number): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    job.cancelledAt ??= now;
    return true;
  }

  /** One page of a FULFILLED job's results; `cursor` is absent on the last page. */
  results(id: string, cursor: string | undefined, pageSize: number | undefined) {
    const job = this.jobs.get(id)!;
    const size = Math.min(Math.max(1, pageSize ?? this.timings.defaultPageSize), 1000);
    const offset = cursor ? decodeCursor(cursor) : 0;
    if (offset === undefined) return undefined;
    const end = Math.min(offset + size, this.timings.resultCount);
    const conversations = [];
    for (let i = offset; i < end; i++) conversations.push(conversationDetail(`${job.id}:${i}`, job.interval));
    return {
      conversations,
      ...(end < this.timings.resultCount ? { cursor: encodeCursor(end) } : {}),
      dataAvailabilityDate: new Date(job.submittedAt).toISOString(),
    };
  }

  get size(): number {
    return this.jobs.size;
  }

  counts(now: number): Record<JobState, number> {
    const out: Record<JobState, number> = { QUEUED: 0, PENDING: 0, FULFILLED: 0, FAILED: 0, CANCELLED: 0, EXPIRED: 0 };
    for (const id of this.jobs.keys()) out[this.status(id, now)!.state]++;
    return out;
  }

  clear(): void {
    this.jobs.clear();
  }
}

const encodeCursor = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64url');

function decodeCursor(cursor: string): number | undefined {
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}
