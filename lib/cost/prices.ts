/**
 * One dated price table per AWS region: every line names the AWS pricing page it comes from,
 * the date it was read and a confidence. `published`: read from the page (us-east-1's on-demand
 * Fargate lines only); `unconfirmed`: a figure that moves (Spot follows spare capacity);
 * `unverified`: every other line, and every line of the other regions, written from memory and
 * never checked against the page for that region. The project's rule holds: such a figure stays overridable (`cost.prices`) and
 * is marked in every estimate, which says how many lines it took on trust.
 */
import { ConfigError } from '../config/errors';
import { PRICE_KEYS, type PriceKey } from '../config/cost-schema';

export interface PriceLine {
  /** USD per `per` units. */
  readonly usd: number;
  readonly per: number;
  /** What one unit is: `vCPU-hour`, `request`, `GB-month`, ... */
  readonly unit: string;
  /** The AWS pricing page. */
  readonly source: string;
  /** When it was read (YYYY-MM-DD). */
  readonly read: string;
  readonly confidence: 'published' | 'unconfirmed' | 'unverified' | 'override';
}

export interface PriceTable {
  readonly region: string;
  /** The date of the table: its oldest line. */
  readonly date: string;
  readonly lines: Readonly<Record<PriceKey, PriceLine>>;
  /** Keys the environment overrode (`cost.prices`). */
  readonly overridden: readonly PriceKey[];
}

const READ = '2026-12-07';
const PAGE = {
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  sfn: 'https://aws.amazon.com/step-functions/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  transfer: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
  kms: 'https://aws.amazon.com/kms/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  events: 'https://aws.amazon.com/eventbridge/pricing/',
  govcloud: 'https://aws.amazon.com/govcloud-us/pricing/',
} as const;

type Spec = readonly [usd: number, per: number, unit: string, page: keyof typeof PAGE];
type Rates = Readonly<Record<PriceKey, Spec>>;

/** US East (N. Virginia), read from the pages; other regions start from these figures. */
const US: Rates = {
  fargateVcpuHour: [0.04048, 1, 'vCPU-hour', 'fargate'],
  fargateGbHour: [0.004445, 1, 'GB-hour', 'fargate'],
  fargateSpotVcpuHour: [0.01265, 1, 'vCPU-hour', 'fargate'],
  fargateSpotGbHour: [0.00139, 1, 'GB-hour', 'fargate'],
  publicIpv4Hour: [0.005, 1, 'address-hour', 'vpc'],
  stepFunctionsTransitions: [0.025, 1000, 'state transition', 'sfn'],
  lambdaGbSecond: [0.0000166667, 1, 'GB-second', 'lambda'],
  lambdaRequests: [0.2, 1_000_000, 'request', 'lambda'],
  s3PutRequests: [0.005, 1000, 'PUT request', 's3'],
  s3GetRequests: [0.0004, 1000, 'GET request', 's3'],
  s3GbMonth: [0.023, 1, 'GB-month', 's3'],
  logsIngestionGb: [0.5, 1, 'GB ingested', 'cloudwatch'],
  logsStorageGbMonth: [0.03, 1, 'GB-month', 'cloudwatch'],
  dataTransferOutGb: [0.09, 1, 'GB out', 'transfer'],
  kmsKeyMonth: [1, 1, 'key-month', 'kms'],
  kmsRequests: [0.03, 10_000, 'request', 'kms'],
  secretMonth: [0.4, 1, 'secret-month', 'secrets'],
  secretsManagerCalls: [0.05, 10_000, 'API call', 'secrets'],
  alarmMonth: [0.1, 1, 'alarm-month', 'cloudwatch'],
  sqsRequests: [0.4, 1_000_000, 'request', 'sqs'],
  eventBridgeEvents: [1, 1_000_000, 'event', 'events'],
};

/** Spot prices move with spare capacity: never `published`, always worth an override. */
const SPOT: readonly PriceKey[] = ['fargateSpotVcpuHour', 'fargateSpotGbHour'];

/** A region's figures: the US table with the lines believed to differ there (from memory, unverified). */
interface RegionSpec {
  readonly base: Rates;
  readonly differs: Partial<Record<PriceKey, number>>;
  /** Lines read from the pricing page for this region (only us-east-1's on-demand Fargate lines). */
  readonly verified?: readonly PriceKey[];
}

const GOV: RegionSpec['differs'] = {
  fargateVcpuHour: 0.04936,
  fargateGbHour: 0.00542,
  fargateSpotVcpuHour: 0.0154,
  fargateSpotGbHour: 0.0017,
  stepFunctionsTransitions: 0.03,
  lambdaGbSecond: 0.00002,
  s3PutRequests: 0.0055,
  s3GetRequests: 0.00044,
  s3GbMonth: 0.039,
  logsIngestionGb: 0.63,
  logsStorageGbMonth: 0.036,
  dataTransferOutGb: 0.155,
  secretMonth: 0.48,
  alarmMonth: 0.12,
  sqsRequests: 0.5,
};

const REGIONS: Readonly<Record<string, RegionSpec>> = {
  'us-east-1': { base: US, differs: {}, verified: ['fargateVcpuHour', 'fargateGbHour'] },
  'us-east-2': { base: US, differs: {} },
  'us-west-2': { base: US, differs: {} },
  'eu-west-1': { base: US, differs: { logsIngestionGb: 0.57 } },
  'eu-central-1': {
    base: US,
    differs: {
      fargateVcpuHour: 0.04656,
      fargateGbHour: 0.00511,
      fargateSpotVcpuHour: 0.01455,
      fargateSpotGbHour: 0.0016,
      s3PutRequests: 0.0054,
      s3GetRequests: 0.00043,
      s3GbMonth: 0.0245,
      logsIngestionGb: 0.63,
      logsStorageGbMonth: 0.0324,
    },
  },
  'ap-southeast-2': {
    base: US,
    differs: {
      fargateVcpuHour: 0.04856,
      fargateGbHour: 0.00532,
      fargateSpotVcpuHour: 0.01517,
      fargateSpotGbHour: 0.00166,
      s3PutRequests: 0.0055,
      s3GetRequests: 0.00044,
      s3GbMonth: 0.025,
      logsIngestionGb: 0.57,
      dataTransferOutGb: 0.114,
    },
  },
  // FedRAMP High regions.
  'us-gov-west-1': { base: US, differs: GOV },
  'us-gov-east-1': { base: US, differs: GOV },
};

/** Regions with a table in the repository. */
export const PRICED_REGIONS: readonly string[] = Object.keys(REGIONS);

function regionLine(spec: RegionSpec, key: PriceKey, gov: boolean): PriceLine {
  const [usd, per, unit, page] = spec.base[key];
  const differs = spec.differs[key];
  return {
    usd: differs ?? usd,
    per,
    unit,
    source: gov ? PAGE.govcloud : PAGE[page],
    read: READ,
    // Spot moves even where it was read; elsewhere nothing was read at all.
    confidence: spec.verified?.includes(key) ? 'published' : spec.verified && SPOT.includes(key) ? 'unconfirmed' : 'unverified',
  };
}

/**
 * The price table an estimate uses: the region's table with `cost.prices` merged over it. A
 * region without a table needs every line in `cost.prices`; a ConfigError names the missing ones.
 */
export function priceTable(region: string, overrides: Partial<Record<PriceKey, number>> = {}): PriceTable {
  const spec = REGIONS[region];
  const overridden = PRICE_KEYS.filter((k) => overrides[k] !== undefined);
  if (!spec) {
    const missing = PRICE_KEYS.filter((k) => overrides[k] === undefined);
    if (missing.length) {
      throw new ConfigError([
        `cost.prices: no price table for aws.region ${region} (tables: ${PRICED_REGIONS.join(', ')}); set cost.prices for every line (missing: ${missing.join(', ')}), USD per the unit in docs/cost.md`,
      ]);
    }
  }
  const base = spec ?? REGIONS['us-east-1'];
  const lines = Object.fromEntries(
    PRICE_KEYS.map((k) => {
      const line = regionLine(base, k, region.startsWith('us-gov-'));
      const o = overrides[k];
      return [k, o === undefined ? line : { ...line, usd: o, source: 'environment file cost.prices', confidence: 'override' }];
    }),
  ) as Record<PriceKey, PriceLine>;
  return { region, date: READ, lines, overridden };
}

/** USD for `quantity` units of a line. */
export const priceOf = (line: PriceLine, quantity: number): number => (line.usd / line.per) * quantity;
