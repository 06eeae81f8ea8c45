/**
 * The load-test state machine's input: `npm run loadtest` (lib/runners/execution-input.ts) builds
 * it and the state machine's CheckInput and Prepare states (lib/runners/definition.ts) read it,
 * field by field through `inputField`, so a field cannot be sent under one name and read under
 * another. Pure: no cdktf.
 */
export interface LoadTestInput {
  /** `<env>_<id>`: also the execution name and the results folder. */
  readonly testId: string;
  readonly scenario: string;
  /** Shards to run, at most the planned count. Default: the planned count. */
  readonly shards?: number;
  /** Test length in seconds, ramp-up included. Default: the scenario's durationSec. */
  readonly durationSec?: number;
  /** An ids CSV was uploaded beside the plan (`results/<testId>/plan/<scenario>.params`). Default false. */
  readonly params?: boolean;
}

/** Shortest and longest test the state machine runs (the schema's durationSec maximum). */
export const MIN_DURATION_SEC = 10;
export const MAX_DURATION_SEC = 86400;

/** A field of the execution input as a JSONata path (without `{% %}`). */
export const inputField = (field: keyof LoadTestInput): string => `$states.input.${field}`;
