/**
 * Analytics routes: the synchronous conversation details query and the asynchronous details
 * jobs (submit, status, cancel, cursor-paged results, availability), backed by sim/jobs.ts.
 */
import { conversationDetail } from './fixtures';
import { errorReply } from './http';
import type { JobStore } from './jobs';
import { compile, type Route } from './router';

const DETAILS = '/api/v2/analytics/conversations/details';

/** `jobFails`: whether a new job will end FAILED (the job-failure fault). */
export function analyticsRoutes(jobs: JobStore, jobFails: () => boolean): Route[] {
  const jobNotFound = (jobId: string) => errorReply(404, 'not.found', `Job ${jobId} not found`);
  return [
    compile('POST', `${DETAILS}/query`, (ctx) => {
      const b = ctx.body as { interval?: unknown; paging?: { pageSize?: number; pageNumber?: number } } | undefined;
      if (typeof b?.interval !== 'string') return errorReply(400, 'bad.request', 'interval is required');
      const pageSize = Math.min(Math.max(1, b.paging?.pageSize ?? 25), 100);
      const pageNumber = Math.max(1, b.paging?.pageNumber ?? 1);
      const totalHits = 60;
      const first = (pageNumber - 1) * pageSize;
      const conversations = [];
      for (let i = first; i < Math.min(first + pageSize, totalHits); i++)
        conversations.push(conversationDetail(`query:${b.interval}:${i}`, b.interval));
      return { status: 200, body: conversations.length ? { conversations, totalHits } : { totalHits } };
    }),
    // Before jobs/{jobId}, which would match it too.
    compile('GET', `${DETAILS}/jobs/availability`, (ctx) => ({
      status: 200,
      body: { dataAvailabilityDate: new Date(ctx.now - 3600_000).toISOString() },
    })),
    compile('POST', `${DETAILS}/jobs`, (ctx) => {
      const b = ctx.body as { interval?: unknown } | undefined;
      if (typeof b?.interval !== 'string') return errorReply(400, 'bad.request', 'interval is required');
      return { status: 202, body: { jobId: jobs.submit(b.interval, ctx.now, jobFails()) } };
    }),
    compile('GET', `${DETAILS}/jobs/{jobId}`, (ctx) => {
      const status = jobs.status(ctx.params.jobId, ctx.now);
      return status ? { status: 200, body: status } : jobNotFound(ctx.params.jobId);
    }),
    compile('DELETE', `${DETAILS}/jobs/{jobId}`, (ctx) =>
      jobs.cancel(ctx.params.jobId, ctx.now) ? { status: 202 } : jobNotFound(ctx.params.jobId),
    ),
    compile('GET', `${DETAILS}/jobs/{jobId}/results`, (ctx) => {
      const status = jobs.status(ctx.params.jobId, ctx.now);
      if (!status) return jobNotFound(ctx.params.jobId);
      if (status.state !== 'FULFILLED') {
        return errorReply(400, 'bad.request', `Job ${ctx.params.jobId} is ${status.state}; results are available once it is FULFILLED`);
      }
      const size = ctx.query.get('pageSize');
      const page = jobs.results(
        ctx.params.jobId,
        ctx.query.get('cursor') ?? undefined,
        size === null ? undefined : Number(size) || undefined,
      );
      return page ? { status: 200, body: page } : errorReply(400, 'bad.request', 'cursor is not valid for this job');
    }),
  ];
}
