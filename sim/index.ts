/** The Genesys Cloud simulator: programmatic start/stop, limits, faults, jobs, rehearsal. */
export {
  startSimulator,
  catalogueLimits,
  simEndpointLimits,
  type Simulator,
  type SimulatorOptions,
  type SimLimits,
  type SimClient,
  type EndpointLimit,
} from './server';
export { parseFaultsFlag, validateFaults, type Faults, type LatencySpec } from './faults';
export type { SimStats, Counts } from './stats';
export type { JobTimings, JobState } from './jobs';
export { RequestLog, pausedTokenViolations, type RequestLogEntry, type ClientAttempt, type PauseViolation } from './request-log';
