/**
 * Figures per endpoint label and in total (ALL: every scenario request, token requests left
 * out): counts, shares, throughput, bytes, Retry-After waits, latency percentiles, Apdex and the
 * response-time histogram over the merged samples of all shards, within a range of time cells.
 */
import { Acc, statsOf } from './accumulator';
import type { LabelStats } from './model';
import type { Aggregates } from './samples';

/** Cells with `fromKey <= key < toKey` count; throughputs are averaged over `windowSec`. */
export interface CellRange {
  readonly fromKey: number;
  readonly toKey: number;
  readonly windowSec: number;
}

/** Label indexes in report order: by name. */
export function labelOrder(a: Aggregates): { label: string; li: number }[] {
  return a.labels.map((label, li) => ({ label, li })).sort((x, y) => x.label.localeCompare(y.label));
}

/** Response codes of one label, or of every scenario label (li = -1). */
function responseCodes(a: Aggregates, li: number): Record<string, number> {
  const codes: Record<string, number> = {};
  const from = li >= 0 ? [li] : a.labels.map((_, j) => j).filter((j) => j !== a.tokenLabel);
  for (const j of from) for (const [code, cnt] of a.codes[j]) codes[code] = (codes[code] ?? 0) + cnt;
  return Object.fromEntries(Object.entries(codes).sort(([x], [y]) => x.localeCompare(y)));
}

/** Every label's accumulator merged over the cells in `range` (index: label index). */
export function labelAccs(a: Aggregates, range: Pick<CellRange, 'fromKey' | 'toKey'>): Acc[] {
  const accs = a.labels.map(() => new Acc());
  for (const [key, cell] of a.cells) {
    if (key < range.fromKey || key >= range.toKey) continue;
    cell.labels.forEach((acc, li) => acc && accs[li].merge(acc));
  }
  return accs;
}

/** All scenario labels' accumulators merged (token requests left out). */
export function scenarioAcc(a: Aggregates, accs: readonly Acc[]): Acc {
  const all = new Acc();
  accs.forEach((acc, li) => li !== a.tokenLabel && all.merge(acc));
  return all;
}

/**
 * The figures of one label (`li` >= 0), or of every scenario sample (`li` = -1, named ALL),
 * from the accumulators of `labelAccs`; `whole` adds the response codes (whole run only).
 */
export function labelStats(a: Aggregates, li: number, acc: Acc, windowSec: number, whole: boolean): LabelStats {
  return statsOf(li >= 0 ? a.labels[li] : 'ALL', acc, windowSec, whole ? responseCodes(a, li) : undefined);
}
