/**
 * The environment file's `pipeline` (event pipeline and its metadata worker) and `runners`
 * (Fargate JMeter shards) fields, and the small zod helpers the environment schema shares.
 */
import { z } from 'zod';
import { FARGATE_CPUS, fargateSizeProblem } from './fargate';

export const int = (min: number, max?: number) => {
  let s = z.number().int().min(min);
  if (max !== undefined) s = s.max(max);
  return s;
};
/** Values CloudWatch Logs accepts for retention (a subset: the ones worth choosing). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 180, 365, 731, 1827, 3653] as const;
export const oneOf = (values: readonly number[]) =>
  z.number().refine((v) => values.includes(v), { message: `must be one of ${values.join(', ')}` });

export const pipelineSchema = z
  .object({
    /** Conversation events per minute the metadata worker should keep up with. */
    expectedEventsPerMinute: int(1, 1000000).default(600),
    /** API calls the worker makes per event (recordingmetadata + recordings). */
    callsPerEvent: int(1, 10).default(2),
    batchSize: int(1, 100).default(10),
    workerTimeoutSec: int(5, 900).default(60),
    maxReceiveCount: int(1, 5).default(5),
    logRetentionDays: oneOf(LOG_RETENTION_DAYS).default(30),
  })
  .strict()
  .default({});

export const runnersSchema = z
  .object({
    /**
     * Fargate CPU units (1024 = 1 vCPU) of every shard. Default: the planner picks, per scenario, the
     * size with the fewest vCPU-hours (lib/ratelimits/capacity.ts); set it to fix the size.
     */
    cpu: oneOf(FARGATE_CPUS).optional(),
    /** Memory of every shard, a value Fargate pairs with runners.cpu (set with it). Default: the least that holds the threads. */
    memoryMiB: int(512, 122880).optional(),
    fargateSpot: z.boolean().default(false),
    /** Requests/s one vCPU of a shard is planned for. Default: the measured figure in lib/ratelimits/capacity.ts. */
    requestsPerSecondPerVcpu: z
      .number()
      .refine((v) => v > 0 && v <= 100000, {
        message:
          'must be requests/s one vCPU of a shard sustains, above 0 and at most 100000; remove it to use the measured default (docs/runners.md, "Shard capacity")',
      })
      .optional(),
    logRetentionDays: oneOf(LOG_RETENTION_DAYS).default(30),
    /** Image tag in the stack's ECR repository. Default `5.6.3`. */
    imageTag: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,128}$/)
      .default('5.6.3'),
  })
  .strict()
  .default({})
  .superRefine((r, ctx) => {
    if (r.memoryMiB !== undefined && r.cpu === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['memoryMiB'],
        message: 'needs runners.cpu: set both to fix the task size, or neither to let the planner pick it',
      });
    }
    const problem = r.cpu !== undefined && r.memoryMiB !== undefined ? fargateSizeProblem(r.cpu, r.memoryMiB) : undefined;
    if (problem) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['memoryMiB'],
        message: `is not a Fargate size with runners.cpu ${r.cpu}: ${problem}; pick one of those, or remove runners.memoryMiB to let the planner pick`,
      });
    }
  });
