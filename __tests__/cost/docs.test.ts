import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PRICE_KEYS } from '../../lib/config/cost-schema';
import { PRICED_REGIONS, priceTable } from '../../lib/cost/prices';
import { planBudget } from '../../lib/ratelimits';
import { repoEnvironment } from '../helpers/env';

const DOC = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'cost.md'), 'utf8');
const within1pct = (doc: number, code: number): void => expect(Math.abs(doc - code)).toBeLessThanOrEqual(Math.abs(code) * 0.01);

describe('docs/cost.md', () => {
  const plan = planBudget(repoEnvironment('example').config);

  it('hand-calculates every example scenario to within 1 % of the estimate', () => {
    const totals = new Map([...DOC.matchAll(/\*\*Total for `([^`]+)`: \$([\d.]+) per run\*\*/g)].map((m) => [m[1], Number(m[2])]));
    expect([...totals.keys()]).toEqual(plan.scenarios.map((s) => s.name));
    for (const s of plan.cost.scenarios) within1pct(totals.get(s.scenario)!, s.usd);
    const idle = /\*\*Idle environment: \$([\d.]+) per day\*\*/.exec(DOC);
    within1pct(Number(idle![1]), plan.cost.standing.usdPerDay);
  });

  it('hand-calculates each line of each scenario from the same prices', () => {
    for (const s of plan.cost.scenarios) {
      const section = DOC.split(`### ${s.scenario}\n`)[1].split('**Total')[0];
      const rows = section
        .split('\n')
        .map((l) => l.split('|').map((c) => c.trim()))
        .filter((c) => c.length === 6 && / = [\d.e+-]+$/.test(c[2]))
        .map((c) => [c.join('|'), c[2].split(' = ')[1], c[3], c[4]]);
      expect(rows.length).toBe(s.lines.length);
      rows.forEach((r, i) => {
        within1pct(Number(r[1]), s.lines[i].quantity);
        within1pct(Number(r[2]), s.lines[i].unitPrice);
        expect(Math.abs(Number(r[3]) - s.lines[i].usd)).toBeLessThanOrEqual(Math.max(0.000051, s.lines[i].usd * 0.01));
      });
    }
  });

  it('shows the price tables of lib/cost/prices.ts, unconfirmed and unverified figures marked', () => {
    const header = DOC.split('\n').find((l) => /^\| line +\| +per \| unit +\|/.test(l))!;
    expect(
      header
        .split('|')
        .slice(4, -1)
        .map((c) => c.trim()),
    ).toEqual([...PRICED_REGIONS]);
    for (const key of PRICE_KEYS) {
      const row = DOC.split('\n').find((l) => l.startsWith(`| ${key} `));
      expect(row).toBeDefined();
      const cells = row!
        .split('|')
        .slice(4, -1)
        .map((c) => c.trim());
      PRICED_REGIONS.forEach((region, i) => {
        const line = priceTable(region).lines[key];
        expect(cells[i]).toBe(`${line.usd}${line.confidence === 'unconfirmed' || line.confidence === 'unverified' ? '*' : ''}`);
      });
      expect(DOC).toContain(priceTable('us-east-1').lines[key].source);
    }
  });
});
