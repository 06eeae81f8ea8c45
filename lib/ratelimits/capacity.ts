/**
 * What one JMeter shard can do, measured, and the Fargate task size the planner picks from it.
 *
 * The figures come from `npm run bench -- --only capacity` (bench/capacity.bench.ts): the example
 * scenarios' generated plans in real JMeter 5.6.3 against the simulator, pinned to 1 and 2 CPUs.
 * They are the defaults; `runners.requestsPerSecondPerVcpu` and `loadProfile.maxThreadsPerShard`
 * override them, and an explicit `runners.cpu` / `runners.memoryMiB` fixes the task size.
 */

import { FARGATE_SIZES } from '../config/fargate';

export const MEASURED = {
  command: 'npm run bench -- --only capacity',
  date: '2026-12-07',
  machine: '2 CPUs (nproc), AMD EPYC (lscpu model name), otherwise idle (load average 1.3 before the run)',
  /**
   * Requests per CPU-second JMeter itself used, at each sweep's peak step, 1 CPU: the slowest
   * generated plan (messaging; the others 709-848).
   */
  generatedPerCpuSec: 672,
  /** The plain HTTP-sampler floor the same way (1965 at 1 CPU): the generated plans reach 34-43 % of it. */
  plainPerCpuSec: 1965,
  /** JMeter's peak RSS, generated plans: about 400-530 MiB at 250 threads; 260-370 MiB at 32 (the loaded run), so about +1.7 MiB per thread. */
  baseRssMiB: 320,
  rssPerThreadMiB: 1.7,
} as const;

/**
 * What the planner counts on: half the measured rate, since a Fargate vCPU is one hyperthread of
 * a host we do not know and the bench machine was not idle.
 */
export const PLANNING_SHARE = 0.5;
export const DEFAULT_REQUESTS_PER_SEC_PER_VCPU = Math.floor(MEASURED.generatedPerCpuSec * PLANNING_SHARE);

/** JMeter's memory for a shard of `threads` threads, with the JVM's heap at most 75 % of the task (loadtest/Dockerfile). */
export const memoryNeededMiB = (threads: number): number => (MEASURED.baseRssMiB + MEASURED.rssPerThreadMiB * threads) / 0.75;

/** A Fargate task size: CPU units (1024 = 1 vCPU) and memory in MiB. */
export interface TaskSize {
  readonly cpu: number;
  readonly memoryMiB: number;
}

/** What one shard of a task size may be given, with the environment's overrides applied. */
export interface ShardCapacity {
  /** Requests/min one shard may be paced to. */
  readonly requestsPerMinute: number;
  /** Threads one shard may run. */
  readonly threads: number;
}

export interface CapacitySettings {
  readonly requestsPerSecondPerVcpu: number;
  /** An explicit loadProfile.maxThreadsPerShard: the same cap at every size. */
  readonly maxThreadsPerShard?: number;
}

/**
 * What a shard of this size carries: requests by its vCPUs; threads by what its memory holds (a
 * paced thread mostly sleeps, so its CPU is in the rate), capped by an explicit maxThreadsPerShard.
 */
export function shardCapacity(size: TaskSize, c: CapacitySettings): ShardCapacity {
  const vcpus = size.cpu / 1024;
  const byMemory = Math.floor((size.memoryMiB * 0.75 - MEASURED.baseRssMiB) / MEASURED.rssPerThreadMiB);
  const threads = Math.max(1, Math.min(c.maxThreadsPerShard ?? Number.POSITIVE_INFINITY, byMemory));
  return { requestsPerMinute: c.requestsPerSecondPerVcpu * 60 * vcpus, threads };
}

/** The smallest memory Fargate pairs with `cpu` that holds `threads` threads (the largest when none does). */
export function memoryFor(cpu: number, threads: number): number {
  const memories = FARGATE_SIZES[cpu];
  return memories.find((m) => m >= memoryNeededMiB(threads)) ?? memories[memories.length - 1];
}

/** One size tried for a scenario: its shards and whether they fit the rate budget. */
export interface SizeOption {
  readonly size: TaskSize;
  readonly shards: number;
  /** Within every limit and the OAuth client pool. */
  readonly fits: boolean;
}

/** vCPU per hour of the whole scenario: what the picker minimises. */
export const vcpus = (o: SizeOption): number => (o.shards * o.size.cpu) / 1024;

/**
 * The cheapest option: those that fit before those that do not, then the fewest vCPU-hours (shards x
 * vCPU, the run's length being the same), then the fewest shards (fewer OAuth clients and tokens),
 * then the least memory.
 */
export function cheapest(options: readonly SizeOption[]): SizeOption {
  const key = (o: SizeOption): number[] => [o.fits ? 0 : 1, vcpus(o), o.shards, o.shards * o.size.memoryMiB];
  return options.reduce((best, o) => {
    const [a, b] = [key(o), key(best)];
    const i = a.findIndex((v, k) => v !== b[k]);
    return i >= 0 && a[i] < b[i] ? o : best;
  });
}
