/** The task sizes Fargate (Linux) accepts: the schema checks runners.cpu / memoryMiB, the planner picks among them. */

const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** The CPU and memory pairs Fargate (Linux) accepts. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
export const FARGATE_CPUS: readonly number[] = Object.keys(FARGATE_SIZES).map(Number);

/** Whether Fargate runs a task of this size; the message names the memory values it would take. */
export function fargateSizeProblem(cpu: number, memoryMiB: number): string | undefined {
  const memories = FARGATE_SIZES[cpu];
  if (!memories) return `cpu must be one of ${FARGATE_CPUS.join(', ')}`;
  if (memories.includes(memoryMiB)) return undefined;
  return `Fargate runs cpu ${cpu} with memoryMiB ${memories[0]} to ${memories.at(-1)} (${memories.length > 3 ? `steps of ${memories[1] - memories[0]}` : memories.join(', ')})`;
}
