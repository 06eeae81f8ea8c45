/**
 * Lambda entry of the report-jobs worker: SQS (end-of-test windows from the state machine and the
 * analytics availability event) -> async conversation details jobs -> reports bucket.
 */
import { sqsWorkerHandler } from '../shared/handler';
import { processReportBatch } from './worker';

export const handler = sqsWorkerHandler({
  name: 'report-jobs',
  bucketVariable: 'REPORTS_BUCKET',
  recordsMetric: 'Messages',
  process: (records, wiring) => processReportBatch(records, wiring),
});
