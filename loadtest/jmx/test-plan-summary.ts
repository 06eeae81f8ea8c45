import type { ScenarioThresholds } from '../../lib/config/thresholds-schema';

/** What the JMeter test plan generator is asked for and what it returns: the .jmx and a summary of every value it planned. */

export interface GenerateOptions {
  /** Default of the PARAMS_CSV property (the file the plan reads ids from). Default `<scenario>.params.csv`. */
  readonly paramsCsv?: string;
  /** Share of the token lifetime after which the refresh thread replaces the tokens. Default 0.8. */
  readonly refreshAt?: number;
}

export interface TestPlanEndpoint {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly weight: number;
  /** Share of the scenario's requests, 0..1. */
  readonly share: number;
}

export interface TestPlanSummary {
  readonly scenario: string;
  /** The environment the plan was generated for (the report's title). */
  readonly environment: string;
  readonly shards: number;
  readonly threadsPerShard: number;
  readonly tokensPerShard: number;
  /** The Fargate task each shard runs on (cpu units, MiB): what the report prices the run with. */
  readonly task: { readonly cpu: number; readonly memoryMiB: number };
  readonly targetRpmPerShard: number;
  readonly rampUpSec: number;
  readonly durationSec: number;
  /** Mean pause between one virtual user's requests (60 / requestsPerUserPerMinute), realised by the timer's Poisson arrivals. */
  readonly thinkTimeSec: number;
  readonly tokenRefreshSec: number;
  readonly endpoints: readonly TestPlanEndpoint[];
  /** The scenario's pass/fail goals (config `thresholds`), judged by the report. */
  readonly thresholds?: ScenarioThresholds;
  /** Columns the params CSV must have (empty: no CSV is read). */
  readonly csvColumns: readonly string[];
  readonly paramsCsv?: string;
  /** Every JMeter property the plan reads, with its default. */
  readonly properties: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}

export interface GeneratedTestPlan {
  readonly xml: string;
  readonly summary: TestPlanSummary;
}
