import { z } from 'zod';

/**
 * A scenario's pass/fail goals (`loadProfile.scenarios[].thresholds`). The plan summary carries
 * them to the report, which judges them on the steady-state window (after the ramp-up) and turns
 * a miss into exit code 1, a failed report step and a JUnit failure. All optional: a scenario
 * without thresholds fails only when it produced no samples.
 */
const ms = z.number().positive({ message: 'must be a number of milliseconds > 0' });
const percent = z.number().min(0).max(100, { message: 'must be a percentage, 0..100' });

const latency = {
  /** 95th percentile of response times must stay at or under this. */
  p95Ms: ms.optional(),
  /** 99th percentile of response times must stay at or under this. */
  p99Ms: ms.optional(),
};

/** `GET /api/v2/...`: an endpoint label as the plan and the report name it. */
export const ENDPOINT_LABEL = /^(GET|POST|PUT|PATCH|DELETE) \/api\/v2\/\S*$/;

export const scenarioThresholds = z
  .object({
    ...latency,
    /** Per endpoint label, e.g. `"GET /api/v2/scripts": { "p95Ms": 800 }`. */
    endpoints: z
      .record(
        z.string().regex(ENDPOINT_LABEL, { message: 'must be an endpoint label such as "GET /api/v2/scripts"' }),
        z.object(latency).strict(),
      )
      .optional(),
    /** Highest share of failed requests (429s included), in %. */
    maxErrorPercent: percent.optional(),
    /** Highest share of 429 responses, in %. */
    maxThrottledPercent: percent.optional(),
    /** Lowest achieved request rate, in % of the planned rate. */
    minAchievedPercent: z.number().min(0).max(200, { message: 'must be a percentage of the plan, 0..200' }).optional(),
    /** Apdex: a response within this many ms satisfies. Default 500 (JMeter's). */
    apdexSatisfiedMs: ms.optional(),
    /** Apdex: a response within this many ms is tolerated. Default 1500 (JMeter's). */
    apdexToleratedMs: ms.optional(),
  })
  .strict();

export type ScenarioThresholds = z.infer<typeof scenarioThresholds>;

/** Checks between fields: Apdex bands in order; endpoint thresholds only for the scenario's own endpoints. */
export function checkThresholds(
  t: ScenarioThresholds | undefined,
  endpoints: readonly { method: string; path: string }[],
  ctx: z.RefinementCtx,
): void {
  if (!t) return;
  const satisfied = t.apdexSatisfiedMs ?? 500;
  if (t.apdexToleratedMs !== undefined && t.apdexToleratedMs <= satisfied) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['thresholds', 'apdexToleratedMs'],
      message: `must be greater than apdexSatisfiedMs (${satisfied})`,
    });
  }
  const labels = new Set(endpoints.map((e) => `${e.method} ${e.path}`));
  for (const label of Object.keys(t.endpoints ?? {})) {
    if (!labels.has(label)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['thresholds', 'endpoints', label],
        message: `is not an endpoint of this scenario; use one of ${[...labels].map((l) => `"${l}"`).join(', ')}`,
      });
    }
  }
}
