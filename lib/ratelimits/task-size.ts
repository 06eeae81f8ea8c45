/**
 * The task-size picker: for each Fargate CPU size, the shards the scenario needs (rate limits as
 * the sizing search has them, plus the shard capacity of that size), and the option with the
 * fewest vCPU-hours. An explicit runners.cpu (and memoryMiB) leaves one size to try.
 */
import type { ScenarioConfig } from '../config/schema';
import { cheapest, memoryFor, shardCapacity, type SizeOption } from './capacity';
import { FARGATE_CPUS, FARGATE_SIZES } from '../config/fargate';
import { ceil, type Context, type Sizing, type TaskPlan } from './model';
import { evaluate, recommend } from './sizing';

export interface Picked {
  /** The sizing with the picked size's capacity (or the scenario's fixedSizing). */
  readonly sizing: Sizing;
  /** What the planner recommends at the picked size, also when fixedSizing pins `sizing`. */
  readonly recommended: Sizing;
  readonly task: TaskPlan;
  /** fixedSizing asks more of a shard than the picked (largest) size carries. */
  readonly overCapacity: boolean;
}

interface Tried extends SizeOption {
  readonly recommended: Sizing;
  readonly sizing: Sizing;
  readonly capacity: TaskPlan['capacity'];
}

function tryCpu(s: ScenarioConfig, ctx: Context, rampUpSec: number, cpu: number): Tried {
  // Capacity at the largest memory this CPU takes (or the fixed one); the memory is then cut to fit the threads.
  const widest = { cpu, memoryMiB: ctx.fixedMemoryMiB ?? FARGATE_SIZES[cpu][FARGATE_SIZES[cpu].length - 1] };
  const cap = shardCapacity(widest, ctx.capacity);
  const sized: Context = { ...ctx, maxThreadsPerShard: cap.threads, requestsPerMinutePerShard: cap.requestsPerMinute };
  const recommended = recommend(s, sized, rampUpSec);
  const fixed = s.fixedSizing;
  const sizing = fixed ? evaluate(s, sized, rampUpSec, fixed.shards, fixed.tokensPerShard) : recommended;
  const threads = ceil(s.virtualUsers / sizing.shards);
  const size = { cpu, memoryMiB: ctx.fixedMemoryMiB ?? memoryFor(cpu, threads) };
  const capacity = shardCapacity(size, ctx.capacity);
  const carries = sizing.perShardRequestsPerMinute <= capacity.requestsPerMinute + 1e-9 && threads <= capacity.threads;
  const fits = carries && (fixed !== undefined || (sizing.withinBudget && sizing.clients <= ctx.maxRunnerClients));
  return { size, shards: sizing.shards, fits, recommended, sizing, capacity };
}

/** The task size and sizing with the fewest vCPU-hours that keeps the scenario within its budget. */
export function pickTaskSize(s: ScenarioConfig, ctx: Context, rampUpSec: number): Picked {
  const cpus = ctx.fixedCpu !== undefined ? [ctx.fixedCpu] : FARGATE_CPUS;
  const tried = cpus.map((cpu) => tryCpu(s, ctx, rampUpSec, cpu));
  // Pinned shards that no size carries: the biggest size comes closest.
  const pick = s.fixedSizing && !tried.some((t) => t.fits) ? tried[tried.length - 1] : (cheapest(tried) as Tried);
  const chosenBy = ctx.fixedCpu === undefined ? 'picked' : ctx.fixedMemoryMiB === undefined ? 'runners.cpu' : 'runners.cpu/memoryMiB';
  return {
    sizing: pick.sizing,
    recommended: pick.recommended,
    task: { ...pick.size, chosenBy, capacity: pick.capacity },
    overCapacity: s.fixedSizing !== undefined && !pick.fits,
  };
}
