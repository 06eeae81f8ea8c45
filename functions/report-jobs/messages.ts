import { ANALYTICS_AVAILABILITY_TOPIC } from '../../lib/contracts/topics';

/** What the load-test state machine sends at the end of a test: export this window's conversations. */
export interface ReportWindow {
  readonly testId: string;
  /** ISO-8601 interval `start/end`, as the analytics API takes it. */
  readonly interval: string;
}

export type ReportMessage =
  | { readonly kind: 'window'; readonly window: ReportWindow; readonly start: number; readonly end: number }
  | { readonly kind: 'availability'; readonly dataAvailabilityDate: number };

export class MalformedReportMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MalformedReportMessageError';
  }
}

/** Test ids become S3 key segments: keep them to safe characters. */
export const SAFE_TEST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses `start/end` into epoch ms; both must be full ISO date-times and start < end. */
export function parseInterval(interval: string): { start: number; end: number } {
  const parts = interval.split('/');
  if (parts.length !== 2) throw new MalformedReportMessageError(`interval ${JSON.stringify(interval)} must be "<start>/<end>" in ISO-8601`);
  const [start, end] = parts.map((p) => (/^\d{4}-\d{2}-\d{2}T/.test(p) ? Date.parse(p) : NaN));
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new MalformedReportMessageError(
      `interval ${JSON.stringify(interval)} must hold two ISO-8601 date-times, e.g. 2026-11-23T10:00:00Z/2026-11-23T10:30:00Z`,
    );
  }
  if (start >= end) throw new MalformedReportMessageError(`interval ${JSON.stringify(interval)} ends before it starts`);
  return { start, end };
}

/** Reads a report-jobs queue message: a window from the state machine, or the availability event. */
export function parseReportMessage(body: string): ReportMessage {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch (err) {
    throw new MalformedReportMessageError(`body is not JSON (${(err as Error).message})`);
  }
  if (!isObject(msg)) throw new MalformedReportMessageError('body is not a JSON object');
  if (typeof msg['detail-type'] === 'string') {
    const topic = isObject(msg.detail) ? msg.detail.topicName : undefined;
    if (msg['detail-type'] !== ANALYTICS_AVAILABILITY_TOPIC && topic !== ANALYTICS_AVAILABILITY_TOPIC) {
      throw new MalformedReportMessageError(`event ${String(msg['detail-type'])} is not ${ANALYTICS_AVAILABILITY_TOPIC}`);
    }
    const body = isObject(msg.detail) ? msg.detail.eventBody : undefined;
    const date = isObject(body) && typeof body.dataAvailabilityDate === 'string' ? Date.parse(body.dataAvailabilityDate) : NaN;
    if (Number.isNaN(date)) throw new MalformedReportMessageError('availability event lacks detail.eventBody.dataAvailabilityDate');
    return { kind: 'availability', dataAvailabilityDate: date };
  }
  if (typeof msg.testId !== 'string' || !SAFE_TEST_ID.test(msg.testId)) {
    throw new MalformedReportMessageError(`testId must be 1-128 letters, digits, ".", "_" or "-" (got ${JSON.stringify(msg.testId)})`);
  }
  if (typeof msg.interval !== 'string') throw new MalformedReportMessageError('interval is missing (expected "<start>/<end>" in ISO-8601)');
  const { start, end } = parseInterval(msg.interval);
  return { kind: 'window', window: { testId: msg.testId, interval: msg.interval }, start, end };
}

/** Keys in the analytics bucket, all under `analytics/`. */
export const reportKeys = {
  pending: (testId: string) => `analytics/pending/${testId}.json`,
  pendingPrefix: 'analytics/pending/',
  job: (testId: string) => `analytics/${testId}/job.json`,
  page: (testId: string, jobId: string, n: number) => `analytics/${testId}/${jobId}/conversations-${String(n).padStart(5, '0')}.json`,
  manifest: (testId: string) => `analytics/${testId}/manifest.json`,
};
