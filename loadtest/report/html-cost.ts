/**
 * The report page's cost section: each price line with the estimate of the run as planned beside
 * the actual cost of what it recorded, the totals, and the price table (region, date, the AWS
 * pages). A report that does not know the environment says so instead.
 */
import { dollars } from '../../lib/cost/format';
import type { CostLine } from '../../lib/cost/estimate';
import type { ReportCost } from './cost';
import { escapeHtml } from './html-text';

const dash = '–';
const qty = (l: CostLine | undefined): string =>
  l === undefined
    ? dash
    : `${l.quantity >= 100 ? Math.round(l.quantity).toLocaleString('en-US') : Number(l.quantity.toPrecision(3))} ${l.unit}`;
const usd = (l: CostLine | undefined): string => (l === undefined ? dash : dollars(l.usd));
const mark = (l: CostLine): string => (l.confidence === 'unconfirmed' ? '*' : l.confidence === 'override' ? '+' : '');

function costRows(cost: ReportCost): string[] {
  const estimate = new Map((cost.estimate?.lines ?? []).map((l) => [l.key, l]));
  const actual = new Map((cost.actual?.lines ?? []).map((l) => [l.key, l]));
  const keys = [...new Set([...estimate.keys(), ...actual.keys()])];
  return keys.map((key) => {
    const e = estimate.get(key);
    const a = actual.get(key);
    const line = (e ?? a)!;
    return `<tr data-cost-line="${escapeHtml(key)}"><td class="label" title="${escapeHtml(line.source)}">${escapeHtml(line.what)}</td><td>$${line.unitPrice.toPrecision(3)}${mark(line)}</td><td>${escapeHtml(qty(e))}</td><td>${usd(e)}</td><td>${escapeHtml(qty(a))}</td><td>${usd(a)}</td></tr>`;
  });
}

export function costSection(cost: ReportCost | undefined): string {
  if (!cost) return '';
  if (!cost.actual || !cost.prices) {
    return `<section id="cost" data-known="false"><h2>AWS cost</h2><p class="note" id="cost-unknown">${escapeHtml(cost.unknown ?? 'cost: unknown')}</p></section>`;
  }
  const p = cost.prices;
  const total = `<tr class="total" data-cost-line="total"><td class="label">total</td><td></td><td></td><td id="cost-estimate-total">${cost.estimate ? dollars(cost.estimate.usd) : dash}</td><td></td><td id="cost-actual-total">${dollars(cost.actual.usd)}</td></tr>`;
  const sources = [...new Set([...(cost.estimate?.lines ?? []), ...cost.actual.lines].map((l) => l.source))]
    .map((s) => (/^https:\/\//.test(s) ? `<a href="${escapeHtml(s)}">${escapeHtml(s)}</a>` : escapeHtml(s)))
    .join(', ');
  const over = p.overridden.length ? `; overridden (+): ${escapeHtml(p.overridden.join(', '))}` : '';
  const notes = [
    cost.estimate ? `Estimate: ${cost.estimate.basis}.` : '',
    `Actual: ${cost.actual.basis}.`,
    ...(cost.notes ?? []).map((n) => `${n[0].toUpperCase()}${n.slice(1)}.`),
  ]
    .filter(Boolean)
    .map((n) => `<p class="note">${escapeHtml(n)}</p>`)
    .join('\n');
  return `<section id="cost" data-known="true"><h2>AWS cost${cost.environment ? ` of ${escapeHtml(cost.environment)}` : ''}: ${dollars(cost.actual.usd)}${cost.estimate ? ` <span class="muted">(estimated ${dollars(cost.estimate.usd)})</span>` : ''}</h2>
<div class="tablewrap"><table id="cost-table"><thead><tr><th class="label">line</th><th>unit price</th><th>estimate</th><th>est. USD</th><th>actual</th><th>actual USD</th></tr></thead>
<tbody>${costRows(cost).join('\n')}
${total}</tbody></table></div>
<p class="note" id="cost-prices">Prices: the ${escapeHtml(p.region)} table of ${escapeHtml(p.date)} (${escapeHtml(p.reference)}); * unconfirmed price${over}. Sources: ${sources}.</p>
${notes}</section>`;
}
