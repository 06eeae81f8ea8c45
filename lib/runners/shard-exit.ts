/**
 * What a shard's exit code means. `loadtest/entrypoint.sh` exits with these codes (its EXIT_* lines;
 * a test keeps both in step, and docs/runners.md lists them), the state machine fails the test on
 * any non-zero one, and `npm run loadtest --watch` explains a failed shard from the ECS task the
 * failure carries. Pure: no cdktf, no AWS clients.
 */
import type { ScenarioConfig } from '../config';

/** Exit codes of a shard, by the name entrypoint.sh gives them (`EXIT_<NAME>`). */
export const SHARD_EXIT_CODES = {
  JMETER: { code: 1, meaning: 'JMeter itself exited non-zero (its log is uploaded beside the results)' },
  INPUT: { code: 2, meaning: 'bad or missing input: a variable, the plan, the ids or the secret' },
  UPLOAD: { code: 3, meaning: 'the results could not be uploaded' },
  TOKENS: { code: 4, meaning: 'fewer access tokens than planned (TOKENS_PER_SHARD)' },
  NO_SAMPLES: { code: 5, meaning: 'no request besides token requests in the results' },
  ERRORS: { code: 6, meaning: 'share of failed requests (429 aside) above MAX_ERROR_SHARE' },
  THROTTLED: { code: 7, meaning: 'share of 429 responses above MAX_429_SHARE' },
  STOPPED: { code: 8, meaning: 'stopped by SIGTERM (ECS StopTask) before the end; results uploaded' },
} as const;
export type ShardExitName = keyof typeof SHARD_EXIT_CODES;

/** What a shard's checks allow, as shares of its requests (0..1). */
export interface ShardChecks {
  readonly maxErrorShare: number;
  readonly max429Share: number;
}

/** The defaults (docs/runners.md, docs/configuration.md); entrypoint.sh has the same for runs by hand. */
export const DEFAULT_SHARD_CHECKS: ShardChecks = { maxErrorShare: 0.05, max429Share: 0.05 };

/** A scenario's checks: its own `shardChecks`, else the defaults (no 429 check for a deliberate capacity test). */
export function shardChecksOf(scenario: Pick<ScenarioConfig, 'shardChecks' | 'expectThrottling'>): ShardChecks {
  return {
    maxErrorShare: scenario.shardChecks?.maxErrorShare ?? DEFAULT_SHARD_CHECKS.maxErrorShare,
    max429Share: scenario.shardChecks?.max429Share ?? (scenario.expectThrottling ? 1 : DEFAULT_SHARD_CHECKS.max429Share),
  };
}

/** The meaning of an exit code, e.g. `exit 4: fewer access tokens than planned (TOKENS_PER_SHARD)`. */
export function describeShardExit(code: number): string {
  const known = Object.values(SHARD_EXIT_CODES).find((c) => c.code === code);
  if (known) return `exit ${code}: ${known.meaning}`;
  return code > 128 ? `exit ${code}: killed by signal ${code - 128}` : `exit ${code}`;
}

interface EcsTaskLike {
  readonly StoppedReason?: string;
  readonly StopCode?: string;
  readonly Containers?: readonly { readonly ExitCode?: number; readonly Reason?: string }[];
  readonly Overrides?: {
    readonly ContainerOverrides?: readonly { readonly Environment?: readonly { readonly Name?: string; readonly Value?: string }[] }[];
  };
}

const parse = (text: unknown): unknown => {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Which shard failed and why, from a failed execution's cause: the state machine's
 * `{testId, failure: {Error, Cause}}`, whose Cause is the ECS task as `ecs:runTask.sync` reports a
 * stopped task (its overrides name the shard, its container the exit code). Undefined when the
 * cause holds no ECS task (a timeout, invalid input).
 */
export function shardFailureOf(cause: string | undefined): string | undefined {
  const outer = parse(cause) as { failure?: { Error?: string; Cause?: unknown } } | undefined;
  const failure = outer?.failure;
  if (!failure) return undefined;
  const task = parse(failure.Cause) as EcsTaskLike | undefined;
  if (!task || typeof task !== 'object') return failure.Error === 'States.Timeout' ? 'a shard ran past its timeout' : undefined;
  const env = task.Overrides?.ContainerOverrides?.flatMap((o) => o.Environment ?? []) ?? [];
  const shard = env.find((e) => e.Name === 'SHARD_INDEX')?.Value;
  const container = task.Containers?.find((c) => c.ExitCode !== undefined && c.ExitCode !== 0) ?? task.Containers?.[0];
  const parts = [
    container?.ExitCode !== undefined ? describeShardExit(container.ExitCode) : undefined,
    container?.Reason,
    task.StoppedReason,
  ].filter((p): p is string => Boolean(p));
  if (parts.length === 0 && !shard) return undefined;
  return `shard ${shard ?? '?'} failed: ${parts.join('; ') || task.StopCode || 'no exit code'}`;
}
