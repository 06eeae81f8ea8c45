/**
 * The estimate in words for `npm run budget` (a section after the rate table, within 100
 * columns) and `npm run loadtest -- --dry-run` (every line of one scenario). Pure: no I/O.
 */
import type { CostEstimate, CostLine, ScenarioCost } from './estimate';
import { usd } from './guard';

/** Enough digits to see small quantities (requests, GB) without noise. */
const qty = (n: number): string => (n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3))));
const mark = (l: CostLine): string =>
  l.confidence === 'unconfirmed' || l.confidence === 'unverified' ? '*' : l.confidence === 'override' ? '+' : '';
const cents = (n: number): string => `$${n.toFixed(n < 0.01 ? 4 : 2)}`;
/** Dollars with enough digits for a run that costs cents (reports, their comparison). */
export const dollars = (n: number): string => `$${n.toFixed(Math.abs(n) < 1 ? 4 : 2)}`;

export function pricesUsed(cost: CostEstimate): string {
  const over = cost.prices.overridden.length ? `; overridden: ${cost.prices.overridden.join(', ')}` : '';
  const trust = cost.prices.unverified.length
    ? `; ${cost.prices.unverified.length} UNVERIFIED (from memory, not checked against AWS's pages for ${cost.prices.region}: set cost.prices to confirm)`
    : '';
  return `prices: the ${cost.prices.region} table of ${cost.prices.date} (docs/cost.md)${over}${trust}`;
}

/** The budget's cost section: one line per scenario (cost/run, biggest line), then the idle day. */
export function costSection(cost: CostEstimate): string[] {
  const width = Math.max(8, ...cost.scenarios.map((s) => s.scenario.length));
  const rows = cost.scenarios.map(
    (s) => `  ${s.scenario.padEnd(width)}  ${usd(s.usd).padStart(8)}  biggest: ${s.biggest.what.split(':')[0]} ${usd(s.biggest.usd)}`,
  );
  const idle = cost.standing.lines.map((l) => `${l.what.split(' (')[0]} ${cents(l.usd)}`).join(', ');
  return [
    `Cost estimate (${pricesUsed(cost)}):`,
    `  ${'scenario'.padEnd(width)}  ${'cost/run'.padStart(8)}`,
    ...rows,
    `  idle environment: ${cents(cost.standing.usdPerDay)} per day (${idle})`,
    '',
  ];
}

/** Every line of one scenario's estimate; `*` marks an unconfirmed price, `+` an override. */
export function costDetail(s: ScenarioCost, cost: CostEstimate): string[] {
  return [
    `Estimated cost of this run: ${usd(s.usd)} (${pricesUsed(cost)}; * unconfirmed price, + override)`,
    ...s.lines.map((l) => `  ${l.what}: ${qty(l.quantity)} ${l.unit} x $${l.unitPrice.toPrecision(3)}${mark(l)} = ${cents(l.usd)}`),
  ];
}
