/**
 * The environment file's `pipeline` (event pipeline and its metadata worker) and `runners`
 * (Fargate JMeter shards) fields, and the small zod helpers the environment schema shares.
 */
import { z } from 'zod';

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
    /** Fargate CPU units (1024 = 1 vCPU). */
    cpu: oneOf([1024, 2048, 4096, 8192]).default(2048),
    memoryMiB: int(2048, 30720).default(4096),
    fargateSpot: z.boolean().default(false),
    /** UNMEASURED: requests/s one vCPU of a shard sustains; when set, the planner adds shards to stay under it. */
    requestsPerSecondPerVcpu: z.number().positive().max(100000).optional(),
    logRetentionDays: oneOf(LOG_RETENTION_DAYS).default(30),
    /** Image tag in the stack's ECR repository. Default `5.6.3`. */
    imageTag: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,128}$/)
      .default('5.6.3'),
  })
  .strict()
  .default({});
