/**
 * The one rehearsal model both engines share: the TypeScript replay (simulated.ts) and the
 * generated plan under real JMeter (jmeter.ts) both run a scenario's plan against the simulator
 * with time compressed, and both are judged by the same rule:
 *
 *   - a run spans at least MIN_WINDOWS of the simulator's rate windows, or it is refused before it
 *     starts: within one window a plan that overshoots its rate can hide its excess;
 *   - a planned run of a scenario not over budget on purpose fails when more than the allowed
 *     share of its requests got 429, or when the rate it achieved is outside 90-110 % of the plan
 *     (below: the rehearsal could not keep up, so it proves nothing; above: the plan overshoots).
 * Naive runs (one token, no pacing) and expectThrottling scenarios are shown, never judged.
 */
import type { ScenarioPlan } from '../lib/ratelimits';

/** `planned`: the plan's shards, tokens and pacing. `naive`: one token, no pacing, Retry-After ignored (as the failing tests ran). */
export type RehearsalMode = 'planned' | 'naive';

/** How a rehearsal compresses time and load. */
export interface Compression {
  /** Real ms one scenario minute lasts: the simulator's rate window. */
  readonly minuteMs: number;
  /**
   * Share of the load replayed (0 < loadScale <= 1): every rate and every simulator limit are
   * multiplied by it, so each token's and client's utilisation is the plan's. Results are reported at full scale.
   */
  readonly loadScale: number;
}

/** The least number of simulator windows a run spans. */
export const MIN_WINDOWS = 2;
/** The achieved rate a planned run must reach, as a share of the plan: [min, max]. */
export const ACHIEVED_SHARE = { min: 0.9, max: 1.1 } as const;
/** The share of 429s a planned run may get by default (`--max-429-percent`). */
export const DEFAULT_MAX_429_SHARE = 0.01;

/** What the pass rule reads from either engine's result. */
export interface RehearsalOutcome {
  readonly scenario: string;
  readonly mode: RehearsalMode;
  readonly compression: Compression;
  /** The demand of what ran, requests per scenario minute at full scale. */
  readonly plannedPerMinute: number;
  /** What the API accepted per scenario minute after the ramp-up, at full scale. */
  readonly achievedPerMinute: number;
  /** 429s / requests. */
  readonly throttledShare: number;
}

/**
 * Why a run of `runMs` real ms is too short for its windows (undefined: long enough). `lengthen`
 * names the option that makes it longer.
 */
export function tooShort(scenario: string, runMs: number, compression: Compression, lengthen: string): string | undefined {
  const needed = MIN_WINDOWS * compression.minuteMs;
  if (runMs >= needed) return undefined;
  return (
    `${scenario}: a rehearsal of ${runMs / 1000} s spans ${(runMs / compression.minuteMs).toFixed(2)} of the simulator's ${compression.minuteMs / 1000} s windows; ` +
    `it must span at least ${MIN_WINDOWS} (${needed / 1000} s), or a plan that overshoots its rate could hide in one window: ${lengthen}`
  );
}

/** Why a run fails the rehearsal (empty: it passes). `hint` says what to change when it could not keep up. */
export function rehearsalFailures(r: RehearsalOutcome, plan: ScenarioPlan, max429Share = DEFAULT_MAX_429_SHARE, hint = ''): string[] {
  if (r.mode !== 'planned' || plan.expectThrottling || r.plannedPerMinute <= 0) return [];
  const why: string[] = [];
  if (r.throttledShare > max429Share) {
    why.push(`${(r.throttledShare * 100).toFixed(2)} % of requests got 429 (at most ${(max429Share * 100).toFixed(2)} %)`);
  }
  const share = r.achievedPerMinute / r.plannedPerMinute;
  const achieved = `the planned replay achieved ${r.achievedPerMinute}/min, ${(share * 100).toFixed(1)} % of the target ${r.plannedPerMinute}/min`;
  const window = `the simulator window (${r.compression.minuteMs} ms per scenario minute, load scale ${r.compression.loadScale.toFixed(3)})`;
  if (share < ACHIEVED_SHARE.min) {
    why.push(
      `${achieved} (below ${Math.round(ACHIEVED_SHARE.min * 100)} %): ${window} or this machine could not keep up, so this run says nothing about the plan${hint ? `; ${hint}` : ''}`,
    );
  } else if (share > ACHIEVED_SHARE.max) {
    why.push(
      `${achieved} (above ${Math.round(ACHIEVED_SHARE.max * 100)} %): the plan sends more than it budgets, so the limits it was sized for would not hold`,
    );
  }
  return why.map((w) => `${r.scenario}: ${w}`);
}
