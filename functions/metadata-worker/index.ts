/**
 * Lambda entry of the metadata worker: SQS (conversation events from the partner event bus) ->
 * paced Genesys Cloud calls -> archive. The shared wiring keeps AWS clients, the OAuth token and
 * the token bucket at module level, so they are reused across invocations.
 */
import { wholeNumberEnv } from '../shared/env';
import { sqsWorkerHandler, workerOptions, type WorkerClients } from '../shared/handler';
import { DEFAULT_AVAILABILITY, processMetadataBatch } from './worker';

/**
 * The metadata worker's handler with the given clients (Genesys base URL, S3, SQS, Secrets
 * Manager, variables): how to run it locally against the simulator, see docs/throttling.md.
 */
export function createMetadataWorkerHandler(clients: WorkerClients = {}) {
  const { env } = workerOptions(clients);
  return sqsWorkerHandler({
    name: 'metadata-worker',
    bucketVariable: 'RESULTS_BUCKET',
    recordsMetric: 'Events',
    ...workerOptions(clients),
    process: (records, wiring) =>
      processMetadataBatch(records, {
        ...wiring,
        availability: {
          maxChecks: wholeNumberEnv('AVAILABILITY_MAX_CHECKS', DEFAULT_AVAILABILITY.maxChecks, env),
          firstDelaySec: wholeNumberEnv('AVAILABILITY_FIRST_DELAY_SEC', DEFAULT_AVAILABILITY.firstDelaySec, env),
          maxDelaySec: DEFAULT_AVAILABILITY.maxDelaySec,
        },
      }),
  });
}

/** The Lambda entry, with the real AWS clients and the Lambda's environment. */
export const handler = createMetadataWorkerHandler();
