/**
 * Lambda entry of the report-jobs worker: SQS (end-of-test windows from the state machine and the
 * analytics availability event) -> async conversation details jobs -> analytics bucket.
 */
import { REPORT_JOBS_ENV } from '../../lib/contracts/lambda-env';
import { sqsWorkerHandler, workerOptions, type WorkerClients } from '../shared/handler';
import { processReportBatch } from './worker';

/**
 * The report-jobs handler with the given clients (Genesys base URL, S3, SQS, Secrets Manager,
 * variables): how to run it locally against the simulator, see docs/throttling.md.
 */
export function createReportJobsHandler(clients: WorkerClients = {}) {
  return sqsWorkerHandler({
    name: 'report-jobs',
    contract: REPORT_JOBS_ENV,
    bucketVariable: 'ANALYTICS_BUCKET',
    recordsMetric: 'Messages',
    ...workerOptions(clients),
    process: (records, wiring) => processReportBatch(records, wiring),
  });
}

/** The Lambda entry, with the real AWS clients and the Lambda's environment. */
export const handler = createReportJobsHandler();
