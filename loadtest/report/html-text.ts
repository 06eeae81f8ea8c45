/** Text helpers of the HTML report: escaping and number formats. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A figure for people: thousands grouped, else at most `digits` decimals. */
export const fmt = (v: number, digits = 1): string =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10 ** digits) / 10 ** digits);

/** A share (0..1) as a percentage. */
export const pct = (share: number): string => `${fmt(share * 100, 2)} %`;
