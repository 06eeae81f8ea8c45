/**
 * Where a test's files live in the results bucket: each key written once, as a template, and
 * rendered both as a string (TypeScript callers: npm run loadtest, the report step) and as a
 * JSONata expression (the state machine), so they cannot drift. lib/runners/shard-contract.ts
 * holds the rest of the shard contract (the container environment).
 */

/** A value filled in per test: its id, the scenario, the shard's index. */
export type KeySlot = 'testId' | 'scenario' | 'shard';
type Template = readonly (string | { readonly slot: KeySlot })[];

const testId = { slot: 'testId' } as const;
const scenario = { slot: 'scenario' } as const;
const shard = { slot: 'shard' } as const;

/** Key layout of one test in the results bucket. */
export const TEST_KEY_TEMPLATES = {
  /** Everything of one test: raw results, plan, report. */
  test: ['results/', testId, '/'],
  /** Where `npm run loadtest` uploads the plan; the shards may read only this folder. */
  planFolder: ['results/', testId, '/plan/'],
  /** The JMeter plan every shard runs. */
  plan: ['results/', testId, '/plan/', scenario, '.jmx'],
  /** The generated plan's summary (sizing, endpoint shares): the report draws the planned rate from it. */
  planSummary: ['results/', testId, '/plan/', scenario, '.summary.json'],
  /**
   * Ids the plan reads (PARAMS_CSV), when the scenario's paths have {placeholders}. CSV content
   * without a `.csv` name: the report step lists other `.jtl`/`.csv` files as unexpected.
   */
  params: ['results/', testId, '/plan/', scenario, '.params'],
  /** Raw results of all shards (the report step reads below it). */
  shards: ['results/', testId, '/shards/'],
  /** One shard's raw results (entrypoint.sh writes `shard-<index>.jtl` and `.log` below it). */
  shard: ['results/', testId, '/shards/', shard, '/'],
  /** One shard's JTL: the only result files the report step reads. */
  shardJtl: ['results/', testId, '/shards/', shard, '/shard-', shard, '.jtl'],
  /** The merged report (the report step writes both next to the raw results). */
  reportJson: ['results/', testId, '/report.json'],
  reportHtml: ['results/', testId, '/report.html'],
  /** The thresholds' verdict as JUnit XML. */
  reportJunit: ['results/', testId, '/junit.xml'],
} as const satisfies Record<string, Template>;
export type TestKey = keyof typeof TEST_KEY_TEMPLATES;

type SlotsOf<T extends Template> = Extract<T[number], { slot: KeySlot }>['slot'];
type Values<K extends TestKey, V> = { readonly [S in SlotsOf<(typeof TEST_KEY_TEMPLATES)[K]>]: V };

/** A key as a string: `testKey('plan', { testId: 'e_1', scenario: 's' })` is `results/e_1/plan/s.jmx`. */
export function testKey<K extends TestKey>(key: K, values: Values<K, string | number>): string {
  const slots = values as Partial<Record<KeySlot, string | number>>;
  return TEST_KEY_TEMPLATES[key].map((part) => (typeof part === 'string' ? part : String(slots[part.slot]))).join('');
}

/**
 * The same key as a JSONata expression (without `{% %}`), each slot given as an expression that
 * yields a string, e.g. `testKeyExpression('plan', { testId: '$testId', scenario: '$scenario' })`.
 * `prefix` is a literal put in front (`s3://<bucket>/`).
 */
export function testKeyExpression<K extends TestKey>(key: K, slots: Values<K, string>, prefix = ''): string {
  const exprs = slots as Partial<Record<KeySlot, string>>;
  const literal = (s: string): string => {
    // A quote or backslash would end or escape the JSONata string (the prefix may hold a Terraform reference).
    if (/['\\]/.test(s)) throw new Error(`a key literal must not contain quotes or backslashes (got ${JSON.stringify(s)})`);
    return `'${s}'`;
  };
  const parts: string[] = [];
  let text = prefix;
  for (const part of TEST_KEY_TEMPLATES[key]) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    if (text) parts.push(literal(text));
    text = '';
    parts.push(exprs[part.slot]!);
  }
  if (text) parts.push(literal(text));
  return parts.join(' & ');
}
