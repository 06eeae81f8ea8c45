/**
 * Lambda entry of the metadata worker: SQS (conversation events from the partner event bus) ->
 * paced Genesys Cloud calls -> archive. The shared wiring keeps AWS clients, the OAuth token and
 * the token bucket at module level, so they are reused across invocations.
 */
import { lambdaEnvValue, METADATA_WORKER_ENV } from '../../lib/contracts/lambda-env';
import { sqsWorkerHandler, workerOptions, type WorkerClients } from '../shared/handler';
import { processMetadataBatch, DEFAULT_AVAILABILITY } from './worker';

/**
 * The metadata worker's handler with the given clients (Genesys base URL, S3, SQS, Secrets
 * Manager, variables): how to run it locally against the simulator, see docs/throttling.md.
 */
export function createMetadataWorkerHandler(clients: WorkerClients = {}) {
  const env = workerOptions(clients).env ?? process.env;
  return sqsWorkerHandler({
    name: 'metadata-worker',
    contract: METADATA_WORKER_ENV,
    bucketVariable: 'RESULTS_BUCKET',
    recordsMetric: 'Events',
    ...workerOptions(clients),
    process: (records, wiring) =>
      processMetadataBatch(records, {
        ...wiring,
        availability: {
          maxChecks: lambdaEnvValue(METADATA_WORKER_ENV, 'AVAILABILITY_MAX_CHECKS', env),
          firstDelaySec: lambdaEnvValue(METADATA_WORKER_ENV, 'AVAILABILITY_FIRST_DELAY_SEC', env),
          maxDelaySec: DEFAULT_AVAILABILITY.maxDelaySec,
        },
      }),
  });
}

/** The Lambda entry, with the real AWS clients and the Lambda's environment. */
export const handler = createMetadataWorkerHandler();
