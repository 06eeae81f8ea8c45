/**
 * The environment file's `cost` fields: price overrides merged over the region's table
 * (lib/cost/prices.ts), the guard's caps and the few traffic figures the estimate assumes.
 */
import { z } from 'zod';

/** Every line of a price table; each is USD per the table's `per` quantity (docs/cost.md). */
export const PRICE_KEYS = [
  'fargateVcpuHour',
  'fargateGbHour',
  'fargateSpotVcpuHour',
  'fargateSpotGbHour',
  'publicIpv4Hour',
  'stepFunctionsTransitions',
  'lambdaGbSecond',
  'lambdaRequests',
  's3PutRequests',
  's3GetRequests',
  's3GbMonth',
  'logsIngestionGb',
  'logsStorageGbMonth',
  'dataTransferOutGb',
  'kmsKeyMonth',
  'kmsRequests',
  'secretMonth',
  'secretsManagerCalls',
  'alarmMonth',
  'sqsRequests',
  'eventBridgeEvents',
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

const usd = z.number().positive().max(100000);
const bytes = z.number().int().positive().max(10_000_000);

export const costSchema = z
  .object({
    /** Partial overrides of the region's price table, USD per the line's `per` quantity. */
    prices: z.record(z.enum(PRICE_KEYS), z.number().nonnegative().max(1000)).default({}),
    /** Refuse any scenario whose estimated cost per run exceeds this (USD). */
    maxCostPerRun: usd.optional(),
    /** Refuse the environment when its standing cost per day while idle exceeds this (USD). */
    maxCostPerDay: usd.optional(),
    /** Seconds a shard is billed before its duration starts: image pull, JVM start, the start delay. */
    startUpSec: z.number().int().min(0).max(3600).default(180),
    /** Typical bytes one request sends to Genesys (headers, token, body): data transfer out. */
    requestBytes: bytes.default(1500),
    /** Bytes one sample adds to the shard's results file (a JTL CSV line). */
    resultBytesPerRequest: bytes.default(200),
    /** Bytes of CloudWatch Logs one shard writes per minute (JMeter summariser, entrypoint). */
    logBytesPerShardMinute: bytes.default(20000),
    /** Recording bytes kept per pipeline event (archive storage of exported recordings). */
    recordingBytesPerEvent: z.number().int().min(0).max(1_000_000_000).default(0),
    /** GB the archive holds while idle (recordings, reports): standing storage cost. */
    archiveGb: z.number().min(0).max(1_000_000).default(10),
    /** GB of CloudWatch Logs kept while idle (within the retention): standing storage cost. */
    logGb: z.number().min(0).max(1_000_000).default(1),
  })
  .strict()
  .default({});
