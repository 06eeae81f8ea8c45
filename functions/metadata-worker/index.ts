/**
 * Lambda entry of the metadata worker: SQS (conversation events from the partner event bus) ->
 * paced Genesys Cloud calls -> archive. The shared wiring keeps AWS clients, the OAuth token and
 * the token bucket at module level, so they are reused across invocations.
 */
import { wholeNumberEnv } from '../shared/env';
import { sqsWorkerHandler } from '../shared/handler';
import { DEFAULT_AVAILABILITY, processMetadataBatch } from './worker';

export const handler = sqsWorkerHandler({
  name: 'metadata-worker',
  bucketVariable: 'RESULTS_BUCKET',
  recordsMetric: 'Events',
  process: (records, wiring) =>
    processMetadataBatch(records, {
      ...wiring,
      availability: {
        maxChecks: wholeNumberEnv('AVAILABILITY_MAX_CHECKS', DEFAULT_AVAILABILITY.maxChecks),
        firstDelaySec: wholeNumberEnv('AVAILABILITY_FIRST_DELAY_SEC', DEFAULT_AVAILABILITY.firstDelaySec),
        maxDelaySec: DEFAULT_AVAILABILITY.maxDelaySec,
      },
    }),
});
