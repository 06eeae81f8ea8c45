/**
 * What the cost of a run needs from an environment file, and nothing else: the region and its
 * price overrides, the task size and the traffic assumptions. The runners stack hands it to the
 * report step (lib/contracts/lambda-env.ts COST_PROFILE), which has no environment file; `npm
 * run report -- --env` takes it from the file. The full environment file fits these types too.
 */
import type { EnvironmentFile } from '../config/schema';
import { PRICE_KEYS, type PriceKey } from '../config/cost-schema';

/** The environment fields the estimate and the actual cost read. */
export interface CostInputs {
  readonly runners: Pick<EnvironmentFile['runners'], 'cpu' | 'memoryMiB' | 'fargateSpot'>;
  readonly pipeline: Pick<EnvironmentFile['pipeline'], 'expectedEventsPerMinute' | 'batchSize' | 'callsPerEvent'>;
  readonly cost: Pick<
    EnvironmentFile['cost'],
    'startUpSec' | 'requestBytes' | 'resultBytesPerRequest' | 'logBytesPerShardMinute' | 'recordingBytesPerEvent'
  >;
}

export interface CostProfile extends CostInputs {
  /** The environment's name, shown beside the figures. */
  readonly environment: string;
  /** aws.region: which price table. */
  readonly region: string;
  /** cost.prices: lines overridden, USD per the line's `per` quantity. */
  readonly prices: Readonly<Partial<Record<PriceKey, number>>>;
}

const FIELDS = {
  runners: ['cpu', 'memoryMiB'],
  pipeline: ['expectedEventsPerMinute', 'batchSize', 'callsPerEvent'],
  cost: ['startUpSec', 'requestBytes', 'resultBytesPerRequest', 'logBytesPerShardMinute', 'recordingBytesPerEvent'],
} as const;

export function costProfileOf(name: string, env: EnvironmentFile): CostProfile {
  const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> =>
    Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
  return {
    environment: name,
    region: env.aws.region,
    prices: { ...env.cost.prices },
    runners: { ...pick(env.runners, FIELDS.runners), fargateSpot: env.runners.fargateSpot },
    pipeline: pick(env.pipeline, FIELDS.pipeline),
    cost: pick(env.cost, FIELDS.cost),
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A cost profile read back (from JSON); an Error names every bad field, where it comes from in
 * the environment file, and that redeploying the runners stack sets it again.
 */
export function parseCostProfile(value: unknown, source: string): CostProfile {
  const problems: string[] = [];
  const v = isObject(value) ? value : {};
  if (!isObject(value)) problems.push('must be a JSON object');
  for (const field of ['environment', 'region'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') problems.push(`${field} must be a non-empty string`);
  }
  for (const [section, keys] of Object.entries(FIELDS)) {
    const s = isObject(v[section]) ? v[section] : {};
    for (const key of keys) {
      const n = s[key];
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) problems.push(`${section}.${key} must be a number >= 0`);
    }
  }
  if (typeof (isObject(v.runners) ? v.runners.fargateSpot : undefined) !== 'boolean')
    problems.push('runners.fargateSpot must be true or false');
  const prices = isObject(v.prices) ? v.prices : {};
  if (!isObject(v.prices)) problems.push('prices must be an object (cost.prices; {} when none)');
  for (const [key, n] of Object.entries(prices)) {
    if (!(PRICE_KEYS as readonly string[]).includes(key)) problems.push(`prices.${key} is not a price line (${PRICE_KEYS.join(', ')})`);
    else if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) problems.push(`prices.${key} must be a number >= 0`);
  }
  if (problems.length > 0) {
    throw new Error(
      `${source}: ${problems.join('; ')}. The fields are the environment file's (aws.region, runners, pipeline, cost); redeploy the runners stack to set them again`,
    );
  }
  return value as unknown as CostProfile;
}
