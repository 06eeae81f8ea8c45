/**
 * What the report step knows of the run's cost: the environment's cost profile (set at deploy,
 * COST_PROFILE), the tasks' times from the state machine's record, its own invocation and the
 * bytes of the results it read. The report prices them (loadtest/report/cost.ts).
 */
import { LAMBDA_RUNTIME_ENV, lambdaEnvValue, REPORT_STEP_ENV, type EnvSource } from '../../lib/contracts/lambda-env';
import type { ShardTaskRecord } from '../../lib/contracts/report-step';
import { parseCostProfile, type CostProfile } from '../../lib/cost/profile';
import { taskTimes, type CostRequest } from '../../loadtest/report';

/** The profile, or why there is none (a report without a cost is still written). */
function profileOf(env: EnvSource): { profile?: CostProfile; unknown?: string } {
  const raw = lambdaEnvValue(REPORT_STEP_ENV, 'COST_PROFILE', env);
  if (raw === undefined) return { unknown: 'cost: unknown — the report step has no COST_PROFILE; redeploy the runners stack' };
  try {
    return { profile: parseCostProfile(JSON.parse(raw), 'COST_PROFILE') };
  } catch (err) {
    return { unknown: `cost: unknown — ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface StepCostFacts {
  readonly tasks?: readonly ShardTaskRecord[];
  /** When this invocation started (ms): its own GB-seconds. */
  readonly startedMs: number;
  readonly nowMs: number;
  readonly bytesRead: number;
}

export function stepCostRequest(facts: StepCostFacts, env: EnvSource): CostRequest {
  const memoryMiB = lambdaEnvValue(LAMBDA_RUNTIME_ENV, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', env);
  const seconds = Math.max(0, facts.nowMs - facts.startedMs) / 1000;
  return {
    ...profileOf(env),
    tasks: facts.tasks ? taskTimes(facts.tasks) : undefined,
    // The pipeline workers' invocations are not the run's to count here (docs/cost.md).
    lambda: memoryMiB === undefined ? undefined : { invocations: 1, gbSeconds: (memoryMiB / 1024) * seconds },
    bytesWritten: facts.bytesRead,
  };
}
